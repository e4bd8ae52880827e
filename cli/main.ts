/**
 * The `warden` command line. `warden start` runs the service; `warden query` reads the audit
 * trail of a running Warden through its API. Run `warden --help` or `warden <command> --help`.
 */
import { Command } from 'commander';
import { registerStartCommand } from './start.js';
import { registerQueryCommand } from './query.js';

const program = new Command();
program
  .name('warden')
  .description('Audit trail and kill switch for AI agents that act on real systems.')
  .version('0.1.0')
  .showHelpAfterError();

registerStartCommand(program);
registerQueryCommand(program);

await program.parseAsync(process.argv);

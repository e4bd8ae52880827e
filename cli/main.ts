/**
 * The `warden` command line. `warden start` runs the service; `warden hook` is what agents run
 * around each tool call; the other commands read and operate a running Warden through its API
 * (`sessions`, `timeline`, `incident`, `revoke`, `reinstate`, `query`, `demo`) or check its
 * files (`verify-log`). Run `warden --help` or `warden <command> --help`.
 *
 * `warden hook` runs before every tool call of an agent, so it loads only what it needs: the
 * service and operator commands are imported only when another command is asked for.
 */
import { Command } from 'commander';
import { registerHookCommand } from './hook.js';

const program = new Command();
program
  .name('warden')
  .description('Audit trail and kill switch for AI agents that act on real systems.')
  .version('0.1.0')
  .showHelpAfterError();

if (process.argv[2] === 'hook') {
  registerHookCommand(program);
} else {
  const [start, query, sessions, timeline, incident, revoke, verifyLog] = await Promise.all([
    import('./start.js'),
    import('./query.js'),
    import('./sessions.js'),
    import('./timeline.js'),
    import('./incident.js'),
    import('./revoke.js'),
    import('./verify-log.js'),
  ]);
  start.registerStartCommand(program);
  sessions.registerSessionsCommand(program);
  timeline.registerTimelineCommand(program);
  incident.registerIncidentCommand(program);
  revoke.registerRevocationCommands(program);
  query.registerQueryCommand(program);
  (await import('./demo.js')).registerDemoCommand(program);
  verifyLog.registerVerifyLogCommand(program);
  registerHookCommand(program);
}

await program.parseAsync(process.argv);

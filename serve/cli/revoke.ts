/**
 * `warden revoke <session> --reason …` and `warden reinstate <session> --reason …`: the manual
 * kill switch (`POST /api/v1/sessions/:id/revoke|reinstate`, role operate). The reason is
 * required and recorded with the operator's token name in the revocation log.
 */
import type { Command } from 'commander';
import type { RevocationRecord } from '../../respond/kill-switch/contracts.js';
import { operatorClient, reportErrors, sessionPath, withConnection, type ConnectionOptions } from './api-client.js';

type ControlOptions = ConnectionOptions & { reason: string; tenant?: string; json?: boolean };

function register(program: Command, action: 'revoke' | 'reinstate', description: string, example: string): void {
  withConnection(
    program
      .command(action)
      .description(description)
      .argument('<session>', 'session id')
      .requiredOption('--reason <text>', 'why (recorded in the revocation log)')
      .option('--tenant <tenant>', 'admin tokens: the session\'s tenant')
      .option('--json', 'print the revocation record as JSON'),
  )
    .addHelpText('after', `\nExample:\n  ${example}`)
    .action((sessionId: string, options: ControlOptions) =>
      reportErrors(action, async () => {
        const record = await operatorClient(options).post<RevocationRecord>(sessionPath(sessionId, `/${action}`), { reason: options.reason }, { tenant: options.tenant });
        if (options.json) process.stdout.write(`${JSON.stringify(record, null, 2)}\n`);
        else process.stdout.write(`${action === 'revoke' ? 'revoked' : 'reinstated'} session ${record.session_id} (tenant ${record.tenant}) at ${record.at} by ${record.by}\n  record #${record.seq} ${record.hash}\n`);
      }),
    );
}

export function registerRevocationCommands(program: Command): void {
  register(program, 'revoke', 'revoke a session: its hooks deny every further tool call', 'warden revoke 3f2c9a1e-… --reason "deleting namespaces outside the task"');
  register(program, 'reinstate', 'lift a revocation (recorded, never silent)', 'warden reinstate 3f2c9a1e-… --reason "false positive: planned cleanup"');
}

/**
 * The gate from the command line: `warden stopped` lists what the gate denied (or asked about)
 * before it ran, newest first, with the reason, the rule, target and why, and what would have been
 * fine instead (`GET /api/v1/gate/decisions`, role read);
 * `warden allow <decision-id> --reason …` lets the next identical call of that session through
 * once (`POST /api/v1/gate/decisions/:id/allow`, role operate; recorded with who and why).
 */
import type { Command } from 'commander';
import { operatorClient, reportErrors, withConnection, type ConnectionOptions } from './api-client.js';

interface DecisionRow {
  decision_id: string;
  session_id: string;
  agent_id: string;
  tool: string;
  command: string;
  decision: string;
  would_be: string;
  detector: string;
  severity: string;
  reason: string;
  rule?: string;
  target?: string;
  why?: string;
  instead?: string;
  latency_ms: number;
  at: string;
}

/** The rule, target and why, and the alternative, one indented line each (none for a decision stored without them). */
function explained(d: DecisionRow): string {
  const lines = [
    d.rule ? `rule: ${d.rule}` : '',
    d.target ? `target: ${d.target}${d.why ? ` — ${d.why}` : ''}` : d.why ? `why: ${d.why}` : '',
    d.instead ? `instead: ${d.instead}` : '',
  ].filter((l) => l !== '');
  return lines.map((l) => `    ${l}\n`).join('');
}

type StoppedOptions = ConnectionOptions & { session?: string; ask?: boolean; since?: string; limit?: string; tenant?: string; json?: boolean };

export function registerGateCommands(program: Command): void {
  withConnection(
    program
      .command('stopped')
      .description('what the gate stopped before it ran (denied, or with --ask: staged for a person), newest first')
      .option('--session <id>', 'one session')
      .option('--ask', 'calls staged for a person instead of denied ones')
      .option('--since <time>', 'RFC 3339 time or a duration such as 24h')
      .option('--limit <n>', 'at most this many (default 100)')
      .option('--tenant <tenant>', "cross-tenant tokens: another tenant's")
      .option('--json', 'print the decisions as JSON'),
  )
    .addHelpText('after', '\nExample:\n  warden stopped --since 24h')
    .action((options: StoppedOptions) =>
      reportErrors('stopped', async () => {
        const { decisions } = await operatorClient(options).get<{ decisions: DecisionRow[] }>('/api/v1/gate/decisions', {
          decision: options.ask ? 'ask' : 'deny',
          session: options.session,
          since: options.since,
          limit: options.limit,
          tenant: options.tenant,
        });
        if (options.json) return void process.stdout.write(`${JSON.stringify(decisions, null, 2)}\n`);
        if (decisions.length === 0) return void process.stdout.write(`nothing ${options.ask ? 'asked about' : 'stopped'}\n`);
        for (const d of decisions) {
          const what = d.command || d.tool;
          process.stdout.write(`${d.at}  ${d.decision.toUpperCase()}  ${d.session_id}  ${d.agent_id}  ${what.length > 100 ? `${what.slice(0, 100)}…` : what}\n  ${d.detector || '-'} (${d.severity}) ${d.decision_id}  ${d.reason}\n${explained(d)}`);
        }
      }),
    );

  withConnection(
    program
      .command('allow')
      .description('let the next call like a denied one (same session, tool and command) through once')
      .argument('<decision-id>', 'the gd_… id named in the deny')
      .requiredOption('--reason <text>', 'why (recorded with your token name)')
      .option('--tenant <tenant>', "cross-tenant tokens: the session's tenant"),
  )
    .addHelpText('after', '\nExample:\n  warden allow gd_0f3c9a1e2b4d5f6a7b8c9d0e --reason "planned force-push after the rebase"')
    .action((decisionId: string, options: ConnectionOptions & { reason: string; tenant?: string }) =>
      reportErrors('allow', async () => {
        const r = await operatorClient(options).post<{ session_id: string; command: string; tool: string }>(`/api/v1/gate/decisions/${encodeURIComponent(decisionId)}/allow`, { reason: options.reason }, { tenant: options.tenant });
        process.stdout.write(`the next ${r.command ? JSON.stringify(r.command) : r.tool} of session ${r.session_id} will be allowed once\n`);
      }),
    );
}

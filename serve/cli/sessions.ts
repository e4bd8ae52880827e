/**
 * `warden sessions`: the sessions of a running Warden (`GET /api/v1/sessions`), newest activity
 * first, as a table or JSON.
 */
import type { Command } from 'commander';
import type { SessionView } from '../api/queries/session-view.js';
import { operatorClient, reportErrors, withConnection, type ConnectionOptions } from './api-client.js';
import { shortTime, table, truncate } from './format.js';

interface SessionsOptions extends ConnectionOptions {
  state?: string;
  agent?: string;
  since?: string;
  limit?: string;
  json?: boolean;
}

export function sessionsTable(sessions: SessionView[]): string {
  if (sessions.length === 0) return 'no sessions';
  return table(
    ['SESSION', 'AGENT', 'STATE', 'LAST SEEN', 'EVENTS', 'DESTRUCTIVE', 'GOAL'],
    sessions.map((s) => [s.id, s.agent || '-', s.state, shortTime(s.last_seen), String(s.counts.events), String(s.counts.destructive), truncate(s.goal || '-', 60)]),
  );
}

export function registerSessionsCommand(program: Command): void {
  withConnection(
    program
      .command('sessions')
      .description('list agent sessions with state, counts and last activity')
      .option('--state <state>', 'active or revoked')
      .option('--agent <agent>', 'only this agent id (e.g. claude-code)')
      .option('--since <since>', 'active since an RFC 3339 time or a duration (15m, 24h, 7d)')
      .option('--limit <n>', 'at most this many (default 100, max 1000)')
      .option('--json', 'print the API answer as JSON'),
  )
    .addHelpText('after', '\nExamples:\n  warden sessions --state revoked --since 24h\n  warden sessions --agent claude-code --json')
    .action((options: SessionsOptions) =>
      reportErrors('sessions', async () => {
        const client = operatorClient(options);
        const body = await client.get<{ sessions: SessionView[] }>('/api/v1/sessions', {
          state: options.state,
          agent: options.agent,
          since: options.since,
          limit: options.limit,
        });
        process.stdout.write(options.json ? `${JSON.stringify(body, null, 2)}\n` : `${sessionsTable(body.sessions)}\n`);
      }),
    );
}

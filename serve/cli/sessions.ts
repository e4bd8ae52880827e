/**
 * `warden sessions`: the sessions of a running Warden (`GET /api/v1/sessions`), newest activity
 * first, as a table or JSON. Under the table, one line when events were stored without a session
 * in the window (`GET /api/v1/ingest/unattributed`; --since, else the last 24h): how many, per
 * source with the attribute that would have carried it. A Warden without that route prints none.
 */
import type { Command } from 'commander';
import type { SessionView } from '../api/queries/session-view.js';
import type { UnattributedAnswer } from '../api/queries/unattributed.js';
import { ApiRequestError, type ApiClient } from '../api/client.js';
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

const DEFAULT_UNATTRIBUTED_SINCE = '24h';

/** "N events without a session …" for the window, or '' when there were none. */
export function withoutSessionLine(answer: Pick<UnattributedAnswer, 'events' | 'sources'>, since: string): string {
  if (answer.events <= 0) return '';
  const window = /^\d+[smhdw]$/.test(since) ? `in the last ${since}` : `since ${since}`;
  const parts = answer.sources.map((s) => `source ${s.source}, expected attribute ${s.expected_attribute || '-'}: ${s.events}`);
  return `${answer.events} event${answer.events === 1 ? '' : 's'} without a session ${window} (${parts.join('; ')})`;
}

/** The answer of the unattributed route, or undefined from a Warden that does not have it. */
async function eventsWithoutSession(client: ApiClient, since: string): Promise<UnattributedAnswer | undefined> {
  try {
    return await client.get<UnattributedAnswer>('/api/v1/ingest/unattributed', { since });
  } catch (err) {
    if (err instanceof ApiRequestError && err.status === 404 && err.code === 'NOT_FOUND') return undefined;
    throw err;
  }
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
        if (options.json) {
          process.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
          return;
        }
        const since = options.since ?? DEFAULT_UNATTRIBUTED_SINCE;
        const unattributed = await eventsWithoutSession(client, since);
        const line = unattributed ? withoutSessionLine(unattributed, since) : '';
        process.stdout.write(`${sessionsTable(body.sessions)}\n${line ? `${line}\n` : ''}`);
      }),
    );
}

/**
 * Sessions as stored in the `sessions` table: one row per session, rewritten with a higher
 * `version` on every change, read with FINAL so only the newest version counts. The row's own
 * state is shown only as a fallback: the RevocationService's answer is current. The columns and
 * the row's revocation are read as the session store reads them (store/session-row.ts); times
 * keep their nanoseconds here.
 */
import { rowRevocation, SESSION_ROW_COLUMNS, type ClickHouseHandle, type SessionRowRead } from '../../../store/index.js';
import type { PartialView } from './session-view.js';
import { baseClause, type SessionQuery } from './session-query.js';
import { queryRows, table } from './run-query.js';
import { nsToRfc3339OrEmpty } from '../../../lib/rfc3339.js';

function toView(row: SessionRowRead): PartialView {
  return {
    id: row.session_id,
    tenant: row.tenant,
    agent: row.agent_id,
    user: row.user_id,
    environment: row.environment,
    goal: row.goal,
    scope: { allow: row.scope_allow, deny: row.scope_deny },
    revoked: rowRevocation(row),
    counts: { events: Number(row.event_count), intents: 0, executions: 0, destructive: Number(row.destructive_count) },
    first_seen: nsToRfc3339OrEmpty(row.first_ns),
    last_seen: nsToRfc3339OrEmpty(row.last_ns),
  };
}

export async function storedSessions(handle: ClickHouseHandle, query: SessionQuery): Promise<PartialView[]> {
  const { where, params } = baseClause(query, 'agent_id');
  if (query.sinceMs !== undefined) where.push("last_seen >= fromUnixTimestamp64Milli({since_ms:Int64}, 'UTC')");
  const rows = await queryRows<SessionRowRead>(
    handle,
    'read sessions',
    `SELECT ${SESSION_ROW_COLUMNS}
       FROM ${table(handle, 'sessions')} FINAL
      WHERE ${where.join(' AND ')}
      ORDER BY last_seen DESC
      LIMIT {limit:UInt32} OFFSET {offset:UInt32}`,
    params,
  );
  return rows.map(toView);
}

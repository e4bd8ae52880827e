/**
 * Sessions as stored in the `sessions` table: one row per session, rewritten with a higher
 * `version` on every change, read with FINAL so only the newest version counts. The row's own
 * state is shown only as a fallback: the RevocationService's answer is current.
 */
import type { ClickHouseHandle } from '../../../store/index.js';
import type { PartialView } from './session-view.js';
import { baseClause, type SessionQuery } from './session-query.js';
import { queryRows, table } from './run-query.js';
import { nsToRfc3339OrEmpty } from '../../../lib/rfc3339.js';

interface SessionRow {
  session_id: string;
  tenant: string;
  agent_id: string;
  user_id: string;
  goal: string;
  scope_allow: string[];
  scope_deny: string[];
  environment: string;
  state: string;
  revoked_ns: string | null;
  revoked_by: string;
  revoke_reason: string;
  finding_id: string;
  first_ns: string;
  last_ns: string;
  event_count: string;
  destructive_count: string;
}

function toView(row: SessionRow): PartialView {
  return {
    id: row.session_id,
    tenant: row.tenant,
    agent: row.agent_id,
    user: row.user_id,
    environment: row.environment,
    goal: row.goal,
    scope: { allow: row.scope_allow, deny: row.scope_deny },
    revoked:
      row.state === 'revoked'
        ? { at: nsToRfc3339OrEmpty(row.revoked_ns), by: row.revoked_by, reason: row.revoke_reason, finding_id: row.finding_id || null }
        : null,
    counts: { events: Number(row.event_count), intents: 0, executions: 0, destructive: Number(row.destructive_count) },
    first_seen: nsToRfc3339OrEmpty(row.first_ns),
    last_seen: nsToRfc3339OrEmpty(row.last_ns),
  };
}

export async function storedSessions(handle: ClickHouseHandle, query: SessionQuery): Promise<PartialView[]> {
  const { where, params } = baseClause(query, 'agent_id');
  if (query.sinceMs !== undefined) where.push("last_seen >= fromUnixTimestamp64Milli({since_ms:Int64}, 'UTC')");
  const rows = await queryRows<SessionRow>(
    handle,
    'read sessions',
    `SELECT session_id, tenant, agent_id, user_id, goal, scope_allow, scope_deny, environment,
            toString(state) AS state,
            if(isNull(revoked_at), NULL, toString(toUnixTimestamp64Nano(assumeNotNull(revoked_at)))) AS revoked_ns,
            revoked_by, revoke_reason, finding_id,
            toString(toUnixTimestamp64Nano(first_seen)) AS first_ns,
            toString(toUnixTimestamp64Nano(last_seen)) AS last_ns,
            event_count, destructive_count
       FROM ${table(handle, 'sessions')} FINAL
      WHERE ${where.join(' AND ')}
      ORDER BY last_seen DESC
      LIMIT {limit:UInt32} OFFSET {offset:UInt32}`,
    params,
  );
  return rows.map(toView);
}

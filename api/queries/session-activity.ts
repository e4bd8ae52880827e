/**
 * Sessions as their events in `audit_events` describe them: declarations (first non-empty
 * goal, scope, agent, user, environment), first and last activity and counts. This is how a
 * session is known before (or without) a `sessions` row, and where complete counts come from.
 * A state filter is answered from the `revocations` table (latest action per session); the
 * caller still applies the RevocationService's answer on top.
 */
import type { ClickHouseHandle } from '../../ingest/clickhouse-sink/index.js';
import type { PartialView } from './session-view.js';
import { baseClause, type SessionQuery } from './session-query.js';
import { queryRows, table } from './run-query.js';
import { nsToRfc3339 } from './time.js';

interface ActivityRow {
  session_id: string;
  agent_id: string;
  user_id: string;
  environment: string;
  goal: string;
  scope_allow: string[];
  scope_deny: string[];
  first_ns: string;
  last_ns: string;
  events: string;
  intents: string;
  executions: string;
  destructive: string;
}

function toView(tenant: string, row: ActivityRow): PartialView {
  return {
    id: row.session_id,
    tenant,
    agent: row.agent_id,
    user: row.user_id,
    environment: row.environment,
    goal: row.goal,
    scope: { allow: row.scope_allow, deny: row.scope_deny },
    revoked: null,
    counts: { events: Number(row.events), intents: Number(row.intents), executions: Number(row.executions), destructive: Number(row.destructive) },
    first_seen: nsToRfc3339(row.first_ns),
    last_seen: nsToRfc3339(row.last_ns),
  };
}

export async function sessionsFromEvents(handle: ClickHouseHandle, query: SessionQuery): Promise<PartialView[]> {
  const { where, params } = baseClause(query, 'agent_id');
  if (query.state !== undefined) {
    const revoked = `session_id IN (SELECT session_id FROM ${table(handle, 'revocations')}
        WHERE tenant = {tenant:String} GROUP BY session_id HAVING toString(argMax(action, (at, inserted_at))) = 'revoke')`;
    where.push(query.state === 'revoked' ? revoked : `NOT (${revoked})`);
  }
  const having = query.sinceMs !== undefined ? "HAVING max(time) >= fromUnixTimestamp64Milli({since_ms:Int64}, 'UTC')" : '';
  const rows = await queryRows<ActivityRow>(
    handle,
    'read session activity',
    `SELECT session_id,
            argMinIf(agent_id, time, agent_id != '') AS agent_id,
            argMinIf(user_id, time, user_id != '') AS user_id,
            toString(argMinIf(environment, time, environment != '')) AS environment,
            argMinIf(goal, time, goal != '') AS goal,
            argMinIf(scope_allow, time, notEmpty(scope_allow)) AS scope_allow,
            argMinIf(scope_deny, time, notEmpty(scope_deny)) AS scope_deny,
            toString(toUnixTimestamp64Nano(min(time))) AS first_ns,
            toString(toUnixTimestamp64Nano(max(time))) AS last_ns,
            count() AS events,
            countIf(phase = 'intent') AS intents,
            countIf(phase = 'execution') AS executions,
            countIf(destructive) AS destructive
       FROM ${table(handle, 'audit_events')} FINAL
      WHERE ${where.join(' AND ')}
      GROUP BY session_id
      ${having}
      ORDER BY max(time) DESC
      LIMIT {limit:UInt32}`,
    params,
  );
  return rows.map((row) => toView(query.tenant, row));
}

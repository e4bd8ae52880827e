/**
 * Sessions as their events in `audit_events` describe them: declarations (first non-empty
 * goal, scope, agent, user, environment), first and last activity and counts. This is how a
 * session is known before (or without) a `sessions` row, and where complete counts come from.
 * State is not known here: the caller applies the RevocationService's answer.
 */
import type { ClickHouseHandle } from '../../../store/index.js';
import type { PartialView } from './session-view.js';
import { baseClause, type SessionQuery } from './session-query.js';
import { queryRows, table } from './run-query.js';
import { nsToRfc3339OrEmpty } from '../../../lib/rfc3339.js';

/** Aliases differ from column names: an alias named like a column would shadow it in WHERE. */
interface ActivityRow {
  session_id: string;
  first_agent: string;
  first_user: string;
  first_environment: string;
  first_goal: string;
  first_scope_allow: string[];
  first_scope_deny: string[];
  first_ns: string;
  last_ns: string;
  event_count: string;
  intent_count: string;
  execution_count: string;
  destructive_count: string;
}

function toView(tenant: string, row: ActivityRow): PartialView {
  return {
    id: row.session_id,
    tenant,
    agent: row.first_agent,
    user: row.first_user,
    environment: row.first_environment,
    goal: row.first_goal,
    scope: { allow: row.first_scope_allow, deny: row.first_scope_deny },
    revoked: null,
    counts: {
      events: Number(row.event_count),
      intents: Number(row.intent_count),
      executions: Number(row.execution_count),
      destructive: Number(row.destructive_count),
    },
    first_seen: nsToRfc3339OrEmpty(row.first_ns),
    last_seen: nsToRfc3339OrEmpty(row.last_ns),
  };
}

export async function sessionsFromEvents(handle: ClickHouseHandle, query: SessionQuery): Promise<PartialView[]> {
  const { where, params } = baseClause(query, 'agent_id');
  const having = query.sinceMs !== undefined ? "HAVING max(time) >= fromUnixTimestamp64Milli({since_ms:Int64}, 'UTC')" : '';
  const rows = await queryRows<ActivityRow>(
    handle,
    'read session activity',
    `SELECT session_id,
            argMinIf(agent_id, time, agent_id != '') AS first_agent,
            argMinIf(user_id, time, user_id != '') AS first_user,
            toString(argMinIf(environment, time, environment != '')) AS first_environment,
            argMinIf(goal, time, goal != '') AS first_goal,
            argMinIf(scope_allow, time, notEmpty(scope_allow)) AS first_scope_allow,
            argMinIf(scope_deny, time, notEmpty(scope_deny)) AS first_scope_deny,
            toString(toUnixTimestamp64Nano(min(time))) AS first_ns,
            toString(toUnixTimestamp64Nano(max(time))) AS last_ns,
            count() AS event_count,
            countIf(phase = 'intent') AS intent_count,
            countIf(phase = 'execution') AS execution_count,
            countIf(destructive) AS destructive_count
       FROM ${table(handle, 'audit_events')} FINAL
      WHERE ${where.join(' AND ')}
      GROUP BY session_id
      ${having}
      ORDER BY max(time) DESC
      LIMIT {limit:UInt32} OFFSET {offset:UInt32}`,
    params,
  );
  return rows.map((row) => toView(query.tenant, row));
}

/**
 * A page of the sessions list from `session_activity` (migration 032: per tenant, session,
 * agent and day, the first and last event time, the first non-empty declarations and exact
 * counts, kept by a materialized view) instead of aggregating every event. One query: the
 * page's ids, newest activity first (newest day first, see newest-days.ts), and those
 * sessions' rows merged by primary key. The answer is what `sessionsFromEvents` gives over all
 * sessions — same filter (agent: events with that agent; since: last activity at or after
 * it), order, limit and offset, ties on last activity broken by session id — because the table
 * keeps only aggregates that a repeated or late event does not change (min, max, argMin,
 * uniqExact over audit_events' dedup key).
 */
import type { ClickHouseHandle } from '../../../store/index.js';
import type { PartialView } from './session-view.js';
import { baseClause, type SessionQuery } from './session-query.js';
import { queryRows, table } from './run-query.js';
import { newestDaysFirst } from './newest-days.js';
import { nsToRfc3339OrEmpty } from '../../../lib/rfc3339.js';

const TABLE = 'session_activity';

/** Aliases differ from column names: an alias named like a column would shadow it in WHERE. */
interface ActivityRow {
  session_id: string;
  agent: string;
  user: string;
  env: string;
  goal_text: string;
  allow: string[];
  deny: string[];
  first_ns: string;
  last_ns: string;
  intent_count: string;
  execution_count: string;
  other_count: string;
  destructive_count: string;
}

function toView(tenant: string, row: ActivityRow): PartialView {
  const intents = Number(row.intent_count);
  const executions = Number(row.execution_count);
  return {
    id: row.session_id,
    tenant,
    agent: row.agent,
    user: row.user,
    environment: row.env,
    goal: row.goal_text,
    scope: { allow: row.allow, deny: row.deny },
    revoked: null,
    counts: { events: intents + executions + Number(row.other_count), intents, executions, destructive: Number(row.destructive_count) },
    first_seen: nsToRfc3339OrEmpty(row.first_ns),
    last_seen: nsToRfc3339OrEmpty(row.last_ns),
  };
}

/** One merged row per session: declarations, first and last activity, exact counts. */
const MERGED_COLUMNS = `session_id,
       argMinIf(agent_id, first_time, agent_id != '') AS agent,
       argMinIfMerge(first_user) AS user,
       argMinIfMerge(first_environment) AS env,
       argMinIfMerge(first_goal) AS goal_text,
       argMinIfMerge(first_scope_allow) AS allow,
       argMinIfMerge(first_scope_deny) AS deny,
       toString(toUnixTimestamp64Nano(min(first_time))) AS first_ns,
       toString(toUnixTimestamp64Nano(max(last_time))) AS last_ns,
       uniqExactIfMerge(intent_events) AS intent_count,
       uniqExactIfMerge(execution_events) AS execution_count,
       uniqExactIfMerge(other_events) AS other_count,
       uniqExactIfMerge(destructive_events) AS destructive_count`;

export async function sessionsFromIndex(handle: ClickHouseHandle, query: SessionQuery): Promise<PartialView[]> {
  const { where, params } = baseClause(query, 'agent_id');
  const rowsWhere = ['tenant = {tenant:String}', ...(query.agent !== undefined ? ['agent_id = {agent:String}'] : [])];
  if (query.sinceMs !== undefined) {
    // The day bound lets ClickHouse skip older partitions; the time bound is the filter.
    where.push("day >= toDate(fromUnixTimestamp64Milli({since_ms:Int64}, 'UTC'))");
    where.push("last_time >= fromUnixTimestamp64Milli({since_ms:Int64}, 'UTC')");
  }
  // The page's ids (newest activity first), then their rows merged: one query.
  const rows = await newestDaysFirst(handle, TABLE, query.limit, where, params, (w, p) =>
    queryRows<ActivityRow>(
      handle,
      'read session activity',
      `SELECT ${MERGED_COLUMNS}
         FROM ${table(handle, TABLE)}
        WHERE ${rowsWhere.join(' AND ')}
          AND session_id IN (
                SELECT session_id FROM ${table(handle, TABLE)}
                 WHERE ${w.join(' AND ')}
                 GROUP BY session_id
                 ORDER BY max(last_time) DESC, session_id
                 LIMIT {limit:UInt32} OFFSET {offset:UInt32})
        GROUP BY session_id
        ORDER BY max(last_time) DESC, session_id`,
      p,
    ),
  );
  return rows.map((row) => toView(query.tenant, row));
}

/**
 * Given sessions (one session's page, or the counts of sessions a list knows only from the
 * `sessions` table), merged from their rows in `session_activity` in one read by primary key:
 * what `sessionsFromEvents` gives for the same ids, without aggregating their events. Sessions
 * without events are absent from the answer. Newest activity first.
 */
export async function sessionsByIdFromIndex(handle: ClickHouseHandle, tenant: string, ids: readonly string[]): Promise<PartialView[]> {
  const wanted = ids.filter((id) => id !== '');
  if (wanted.length === 0) return [];
  const rows = await queryRows<ActivityRow>(
    handle,
    'read session activity',
    `SELECT ${MERGED_COLUMNS}
       FROM ${table(handle, TABLE)}
      WHERE tenant = {tenant:String} AND session_id IN {ids:Array(String)}
      GROUP BY session_id
      ORDER BY max(last_time) DESC, session_id`,
    { tenant, ids: wanted },
  );
  return rows.map((row) => toView(tenant, row));
}

/**
 * Pages of the sessions list, and sessions by id, from finalized rows instead of aggregating
 * every event: `session_summary` (migration 036: per tenant and session, and per agent, the
 * first declarations, first and last activity and exact counts, folded from `session_activity`
 * by the summary job, store/session-summary-job.ts) for every session without a touch, and —
 * for the sessions with one (events inserted since their last fold, `session_touches`) — their
 * `session_activity` rows (migration 032: per tenant, session, agent and day, min, max, argMin
 * and uniqExact states) merged by id. The answer is what `sessionsFromEvents` gives over all
 * sessions — same filter (agent: events with that agent; since: last activity at or after it),
 * order, limit and offset, ties on last activity broken by session id — because both tables
 * keep only aggregates that a repeated or late event does not change, and a session's summary
 * row is read only while no event of it has been inserted since it was folded.
 */
import type { ClickHouseHandle } from '../../../store/index.js';
import type { PartialView } from './session-view.js';
import type { SessionQuery } from './session-query.js';
import { queryRows, table, type QueryParams } from './run-query.js';
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

interface SummaryFilter {
  tenant: string;
  agent?: string;
  sinceMs?: number;
  ids?: readonly string[];
  limit?: number;
  offset?: number;
}

/** Sessions of a tenant with a touch: events inserted since the summary job last folded them. */
async function touchedSessions(handle: ClickHouseHandle, tenant: string): Promise<string[]> {
  const rows = await queryRows<{ session_id: string }>(
    handle,
    'read session touches',
    `SELECT DISTINCT session_id FROM ${table(handle, 'session_touches')} WHERE tenant = {tenant:String}`,
    { tenant },
  );
  return rows.map((row) => row.session_id);
}

/**
 * Two statements: the sessions with a touch (a short read of a table the summary job empties),
 * then the page — the other sessions' finalized rows from `session_summary`, and the touched
 * ones merged from their `session_activity` rows (left out when there are none). Each session
 * comes from one side only, so the page is one sort of the two. Bound as a list rather than a
 * subquery: ClickHouse reads the summary half as slowly with `NOT IN (SELECT …)`.
 */
async function summaryRows(handle: ClickHouseHandle, filter: SummaryFilter): Promise<ActivityRow[]> {
  const touched = await touchedSessions(handle, filter.tenant);
  const params: QueryParams = { tenant: filter.tenant, touched };
  const summaryWhere = ['tenant = {tenant:String}', "session_id != ''", 'gone = 0'];
  const activityWhere = ['tenant = {tenant:String}', "session_id != ''", 'session_id IN {touched:Array(String)}'];
  if (touched.length > 0) summaryWhere.push('session_id NOT IN {touched:Array(String)}');
  if (filter.agent !== undefined) {
    params.agent = filter.agent;
    summaryWhere.push('by_agent = 1', 'agent_id = {agent:String}');
    activityWhere.push('agent_id = {agent:String}');
  } else {
    summaryWhere.push('by_agent = 0', "agent_id = ''");
  }
  if (filter.ids !== undefined) {
    params.ids = [...filter.ids];
    summaryWhere.push('session_id IN {ids:Array(String)}');
    activityWhere.push('session_id IN {ids:Array(String)}');
  }
  let having = '';
  if (filter.sinceMs !== undefined) {
    params.since_ms = Math.trunc(filter.sinceMs);
    summaryWhere.push("last_time >= fromUnixTimestamp64Milli({since_ms:Int64}, 'UTC')");
    having = "HAVING max(last_time) >= fromUnixTimestamp64Milli({since_ms:Int64}, 'UTC')";
  }
  let page = '';
  if (filter.limit !== undefined) {
    params.limit = filter.limit;
    params.offset = filter.offset ?? 0;
    page = 'LIMIT {limit:UInt32} OFFSET {offset:UInt32}';
  }
  const fromSummary = `SELECT session_id, first_agent AS agent, user_id AS user, environment AS env, goal AS goal_text,
              scope_allow AS allow, scope_deny AS deny,
              toString(toUnixTimestamp64Nano(first_time)) AS first_ns,
              toString(toUnixTimestamp64Nano(last_time)) AS last_ns,
              intent_count, execution_count, other_count, destructive_count,
              last_time AS sort_time
         FROM ${table(handle, 'session_summary')} FINAL
        WHERE ${summaryWhere.join(' AND ')}`;
  const fromActivity = `SELECT ${MERGED_COLUMNS}, max(last_time) AS sort_time
         FROM ${table(handle, TABLE)}
        WHERE ${activityWhere.join(' AND ')}
        GROUP BY session_id
        ${having}`;
  return queryRows<ActivityRow>(
    handle,
    'read session summary',
    touched.length === 0
      ? `${fromSummary} ORDER BY sort_time DESC, session_id ${page}`
      : `SELECT * FROM (${fromSummary} UNION ALL ${fromActivity}) ORDER BY sort_time DESC, session_id ${page}`,
    params,
  );
}

export async function sessionsFromIndex(handle: ClickHouseHandle, query: SessionQuery): Promise<PartialView[]> {
  const rows = await summaryRows(handle, {
    tenant: query.tenant,
    limit: query.limit,
    offset: query.offset ?? 0,
    ...(query.agent !== undefined ? { agent: query.agent } : {}),
    ...(query.sinceMs !== undefined ? { sinceMs: query.sinceMs } : {}),
    ...(query.ids !== undefined ? { ids: query.ids } : {}),
  });
  return rows.map((row) => toView(query.tenant, row));
}

/**
 * Given sessions (one session's page, or the counts of sessions a list knows only from the
 * `sessions` table), their rows as the list reads them, by id: what `sessionsFromEvents` gives
 * for the same ids, without aggregating their events. Sessions without events are absent from
 * the answer. Newest activity first.
 */
export async function sessionsByIdFromIndex(handle: ClickHouseHandle, tenant: string, ids: readonly string[]): Promise<PartialView[]> {
  const wanted = ids.filter((id) => id !== '');
  if (wanted.length === 0) return [];
  const rows = await summaryRows(handle, { tenant, ids: wanted });
  return rows.map((row) => toView(tenant, row));
}

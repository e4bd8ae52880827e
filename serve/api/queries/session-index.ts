/**
 * Pages of the sessions list from finalized rows instead of aggregating every event:
 * `session_summary` (migration 036: per tenant and session, and per agent, the first
 * declarations, first and last activity and exact counts, folded from `session_activity` by the
 * summary job, store/session-summary-job.ts) for every session without a touch, and —
 * for the sessions with one (events inserted since their last fold, `session_touches`) — their
 * `session_activity` rows (migration 032: per tenant, session, agent and day, min, max, argMin
 * and uniqExact states) merged by id. The answer is what `sessionsFromEvents` gives over all
 * sessions — same filter (agent: events with that agent; since: last activity at or after it),
 * order, limit and offset, ties on last activity broken by session id — because both tables
 * keep only aggregates that a repeated or late event does not change, and a session's summary
 * row is read only while no event of it has been inserted since it was folded. Sessions by id
 * (one session, or the counts a list lacks) are merged from their activity rows in one read.
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

/** The order of the list: newest activity first, ties by session id (byte order, as ClickHouse sorts). */
function newestFirst(a: ActivityRow, b: ActivityRow): number {
  const at = BigInt(a.last_ns === '' ? '0' : a.last_ns);
  const bt = BigInt(b.last_ns === '' ? '0' : b.last_ns);
  if (at !== bt) return at > bt ? -1 : 1;
  return Buffer.compare(Buffer.from(a.session_id), Buffer.from(b.session_id));
}

interface SummaryRow extends ActivityRow {
  /** The tenant's touched sessions (the same on every row). */
  touched: string[];
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
 * The page in one statement when no session of the tenant has a touch (the usual case between
 * inserts): the finalized rows of `session_summary` for the sessions without a touch, cut to
 * `offset + limit`, and one more row carrying the touched sessions' ids (a short read of a table
 * the summary job empties). Only when there are some, a second statement merges their
 * `session_activity` rows by id; the two are merged here in the list's order. Each session comes
 * from one side only. (ClickHouse reads the summary half as slowly when the touched sessions are
 * a `NOT IN (SELECT …)` set, and the activity table costs a read even for no ids.)
 */
async function summaryRows(handle: ClickHouseHandle, filter: SummaryFilter): Promise<ActivityRow[]> {
  const params: QueryParams = { tenant: filter.tenant };
  const touched = `(SELECT groupUniqArray(session_id) FROM ${table(handle, 'session_touches')} WHERE tenant = {tenant:String})`;
  const summaryWhere = ['tenant = {tenant:String}', "session_id != ''", 'gone = 0', 'NOT has(touched_ids, session_id)'];
  const activityWhere = ['tenant = {tenant:String}', "session_id != ''", 'session_id IN {touched:Array(String)}'];
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
  const offset = filter.offset ?? 0;
  let cut = '';
  if (filter.limit !== undefined) {
    params.cut = filter.limit + offset;
    cut = 'LIMIT {cut:UInt32}';
  }
  const page = (prewhere: string): Promise<SummaryRow[]> =>
    queryRows<SummaryRow>(
      handle,
      'read session summary',
      `WITH ${touched} AS touched_ids
       SELECT session_id, first_agent AS agent, user_id AS user, environment AS env, goal AS goal_text,
              scope_allow AS allow, scope_deny AS deny,
              toString(toUnixTimestamp64Nano(first_time)) AS first_ns,
              toString(toUnixTimestamp64Nano(last_time)) AS last_ns,
              intent_count, execution_count, other_count, destructive_count,
              touched_ids AS touched
         FROM ${table(handle, 'session_summary')} FINAL
         ${prewhere}
        WHERE ${summaryWhere.join(' AND ')}
        ORDER BY last_time DESC, session_id
        ${cut}`,
      params,
    );
  // A page is first asked of the rows active in the last day: the other columns are then read
  // for those rows only. A session's folds never lower its last activity (a fold sees every
  // event an earlier one saw, but those of days past the TTL, never its newest), so a condition
  // on it before FINAL keeps the newest version of every session it keeps any version of.
  // Only when that page is short are all rows asked.
  let rows: ActivityRow[] = [];
  if (filter.limit !== undefined) rows = await page(`PREWHERE last_time >= now64(9, 'UTC') - INTERVAL 1 DAY`);
  if (filter.limit === undefined || rows.length < filter.limit + offset) rows = await page('');
  // Every row carries the touched ids; with no row, they are asked for on their own.
  const ids = rows.length > 0 ? (rows[0] as SummaryRow).touched : await touchedSessions(handle, filter.tenant);
  if (ids.length > 0) {
    rows.push(
      ...(await queryRows<ActivityRow>(
        handle,
        'read session activity',
        `SELECT ${MERGED_COLUMNS}
           FROM ${table(handle, TABLE)}
          WHERE ${activityWhere.join(' AND ')}
          GROUP BY session_id
          ${having}`,
        { ...params, touched: ids },
      )),
    );
  }
  rows.sort(newestFirst);
  return filter.limit === undefined ? rows : rows.slice(offset, offset + filter.limit);
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
 * `sessions` table), merged from their rows in `session_activity` in one read by primary key:
 * what `sessionsFromEvents` gives for the same ids, without aggregating their events. Sessions
 * without events are absent from the answer. Newest activity first. (A few sessions by key are
 * one short read here; through the summary they would be two: the touches, then the rows.)
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

/**
 * Post-incident search: which sessions touched targets matching a pattern. The pattern is a
 * glob — `*` any run of characters (slashes included, so `*` and `**` mean the same), `?` one
 * character, everything else literal — translated to a LIKE pattern with `%`, `_` and `\`
 * escaped, and bound as a query parameter.
 *
 * Two short reads in one query instead of every event's targets. The page of sessions (newest
 * matching activity first, ties by session id; newest day first, see newest-days.ts) comes from
 * `target_index` (migration 031: per tenant, target, session and day, the first and last time;
 * ordered by target, so a pattern with a literal prefix reads a key range). The page's matches
 * are merged from `target_activity` (migration 032: the same rows ordered by session, with
 * the first agent and exact counts), or — with `since`, which may fall inside a day — from
 * those sessions' events in `audit_events`. The last time a session touched any matching
 * target is the greatest last time of its matching rows, and the counts are uniqExact over
 * audit_events' dedup key, so the answer is the one a scan of every event gives. The events
 * of the page's sessions are chosen in PREWHERE on sorting-key columns only, which FINAL keeps
 * exact (see timeline.ts): otherwise every granule the key selects is read whole first.
 */
import type { ClickHouseHandle } from '../../../store/index.js';
import { queryRows, table, type QueryParams } from './run-query.js';
import { nsToRfc3339OrEmpty } from '../../../lib/rfc3339.js';
import { newestDaysFirst } from './newest-days.js';

export interface TargetMatchQuery {
  tenant: string;
  match: string;
  sinceMs?: number;
  limit: number;
}

export interface SessionTouch {
  session_id: string;
  agent: string;
  /** The session's targets that matched, sorted (at most 100). */
  targets: string[];
  events: number;
  destructive: number;
  first_at: string;
  last_at: string;
}

/** Glob → LIKE: `*` → `%`, `?` → `_`; LIKE's own `%`, `_` and `\` are escaped. */
export function globToLike(glob: string): string {
  let out = '';
  let previous = '';
  for (const ch of glob) {
    if (ch === '*') {
      if (previous !== '*') out += '%';
    } else if (ch === '?') out += '_';
    else if (ch === '%' || ch === '_' || ch === '\\') out += `\\${ch}`;
    else out += ch;
    previous = ch;
  }
  return out;
}

/** Aliases differ from column names: an alias named like a column would shadow it in WHERE. */
interface TouchRow {
  session_id: string;
  agent: string;
  matched_targets: string[];
  event_count: string;
  destructive_count: string;
  first_ns: string;
  last_ns: string;
}

export async function sessionsTouching(handle: ClickHouseHandle, query: TargetMatchQuery): Promise<SessionTouch[]> {
  const params: QueryParams = { tenant: query.tenant, pattern: globToLike(query.match), limit: query.limit };
  const indexWhere = ['tenant = {tenant:String}', 'target LIKE {pattern:String}'];
  if (query.sinceMs !== undefined) {
    params.since_ms = Math.trunc(query.sinceMs);
    // The day bound lets ClickHouse skip older partitions; the time bound is the filter.
    indexWhere.push("day >= toDate(fromUnixTimestamp64Milli({since_ms:Int64}, 'UTC'))", "last_time >= fromUnixTimestamp64Milli({since_ms:Int64}, 'UTC')");
  }
  // One query: the page's ids (a short read of target_index) and, for just those sessions, their
  // matching rows merged. Asked of the newest day first, and of every day when that page is short.
  const page = (where: string[]): string => `SELECT session_id FROM ${table(handle, 'target_index')}
        WHERE ${where.join(' AND ')}
        GROUP BY session_id
        ORDER BY max(last_time) DESC, session_id
        LIMIT {limit:UInt32}`;
  const rows = await newestDaysFirst(handle, 'target_index', query.limit, indexWhere, params, (where, p) =>
    query.sinceMs === undefined
      ? queryRows<TouchRow>(
          handle,
          'search targets',
          `SELECT session_id,
                  argMinIfMerge(first_agent) AS agent,
                  arraySort(groupUniqArray(100)(target)) AS matched_targets,
                  uniqExactMerge(events) AS event_count,
                  uniqExactIfMerge(destructive_events) AS destructive_count,
                  toString(toUnixTimestamp64Nano(min(first_time))) AS first_ns,
                  toString(toUnixTimestamp64Nano(max(last_time))) AS last_ns
             FROM ${table(handle, 'target_activity')}
            WHERE tenant = {tenant:String} AND session_id IN (${page(where)}) AND target LIKE {pattern:String}
            GROUP BY session_id
            ORDER BY max(last_time) DESC, session_id`,
          p,
        )
      : queryRows<TouchRow>(
          handle,
          'search targets',
          `SELECT session_id,
                  argMinIf(agent_id, time, agent_id != '') AS agent,
                  arraySort(groupUniqArrayArray(100)(arrayFilter(matched -> matched LIKE {pattern:String}, targets))) AS matched_targets,
                  count() AS event_count,
                  countIf(destructive) AS destructive_count,
                  toString(toUnixTimestamp64Nano(min(time))) AS first_ns,
                  toString(toUnixTimestamp64Nano(max(time))) AS last_ns
             FROM ${table(handle, 'audit_events')} FINAL
          PREWHERE tenant = {tenant:String} AND session_id IN (${page(where)})
                  AND time >= fromUnixTimestamp64Milli({since_ms:Int64}, 'UTC')
            WHERE arrayExists(t -> t LIKE {pattern:String}, targets)
            GROUP BY session_id
            ORDER BY max(time) DESC, session_id`,
          p,
        ),
  );
  return rows.map((row) => ({
    session_id: row.session_id,
    agent: row.agent,
    targets: row.matched_targets,
    events: Number(row.event_count),
    destructive: Number(row.destructive_count),
    first_at: nsToRfc3339OrEmpty(row.first_ns),
    last_at: nsToRfc3339OrEmpty(row.last_ns),
  }));
}

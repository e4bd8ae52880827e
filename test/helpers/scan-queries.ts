/**
 * "Which sessions touched this target" answered the way Warden answered it before the target
 * index: one aggregation over every event of the tenant. The oracle the index-backed search is
 * held to in tests, and the baseline the operator-query benchmark times beside it.
 */
import type { ClickHouseHandle } from '../../store/index.js';
import { globToLike, type SessionTouch, type TargetMatchQuery } from '../../serve/api/queries/targets.js';
import { nsToRfc3339OrEmpty } from '../../lib/rfc3339.js';

interface TouchRow {
  session_id: string;
  first_agent: string;
  matched_targets: string[];
  event_count: string;
  destructive_count: string;
  first_ns: string;
  last_ns: string;
}

export async function scanSessionsTouching(handle: ClickHouseHandle, query: TargetMatchQuery): Promise<SessionTouch[]> {
  const since = query.sinceMs !== undefined;
  const rs = await handle.client.query({
    query: `SELECT session_id,
            argMinIf(agent_id, time, agent_id != '') AS first_agent,
            arraySort(groupUniqArrayArray(100)(arrayFilter(matched -> matched LIKE {pattern:String}, targets))) AS matched_targets,
            count() AS event_count, countIf(destructive) AS destructive_count,
            toString(toUnixTimestamp64Nano(min(time))) AS first_ns, toString(toUnixTimestamp64Nano(max(time))) AS last_ns
       FROM ${handle.database}.audit_events FINAL
      WHERE tenant = {tenant:String} AND arrayExists(t -> t LIKE {pattern:String}, targets)
            ${since ? "AND time >= fromUnixTimestamp64Milli({since_ms:Int64}, 'UTC')" : ''}
      GROUP BY session_id ORDER BY max(time) DESC, session_id LIMIT {limit:UInt32}`,
    query_params: { tenant: query.tenant, pattern: globToLike(query.match), limit: query.limit, ...(since ? { since_ms: Math.trunc(query.sinceMs!) } : {}) },
    format: 'JSONEachRow',
  });
  return (await rs.json<TouchRow>()).map((row) => ({
    session_id: row.session_id,
    agent: row.first_agent,
    targets: row.matched_targets,
    events: Number(row.event_count),
    destructive: Number(row.destructive_count),
    first_at: nsToRfc3339OrEmpty(row.first_ns),
    last_at: nsToRfc3339OrEmpty(row.last_ns),
  }));
}

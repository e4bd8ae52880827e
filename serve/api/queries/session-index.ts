/**
 * A page of the sessions list, found in `session_index` (migration 030: first and last event
 * time per tenant, session, agent and day, kept by a materialized view) instead of aggregating
 * every event: the page's ids, newest activity first, then those sessions read from
 * `audit_events` by primary key (session-activity.ts), so declarations and exact counts come
 * from the events as before. Same filter and order as `sessionsFromEvents` over all sessions —
 * agent (events with that agent), since (last activity at or after it), limit and offset —
 * with ties on last activity broken by session id. A session the index still lists but whose
 * events have all expired is left out of the page.
 */
import type { ClickHouseHandle } from '../../../store/index.js';
import type { PartialView } from './session-view.js';
import { baseClause, type SessionQuery } from './session-query.js';
import { sessionsFromEvents } from './session-activity.js';
import { queryRows, table } from './run-query.js';

export async function sessionsFromIndex(handle: ClickHouseHandle, query: SessionQuery): Promise<PartialView[]> {
  const { where, params } = baseClause(query, 'agent_id');
  if (query.sinceMs !== undefined) {
    // The day bound lets ClickHouse skip older partitions; the time bound is the filter.
    where.push("day >= toDate(fromUnixTimestamp64Milli({since_ms:Int64}, 'UTC'))");
    where.push("last_time >= fromUnixTimestamp64Milli({since_ms:Int64}, 'UTC')");
  }
  const page = await queryRows<{ session_id: string }>(
    handle,
    'read session index',
    `SELECT session_id
       FROM ${table(handle, 'session_index')}
      WHERE ${where.join(' AND ')}
      GROUP BY session_id
      ORDER BY max(last_time) DESC, session_id
      LIMIT {limit:UInt32} OFFSET {offset:UInt32}`,
    params,
  );
  if (page.length === 0) return [];
  const ids = page.map((row) => row.session_id);
  const { offset: _offset, ...rest } = query;
  const views = new Map(
    (await sessionsFromEvents(handle, { ...rest, ids, limit: ids.length })).map((view) => [view.id, view] as const),
  );
  return ids.flatMap((id) => views.get(id) ?? []);
}

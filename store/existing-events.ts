/**
 * Which of a batch's event ids are already in `audit_events`: the guard for re-delivery after a
 * crash, when a batch is composed differently from the one partly stored and its token cannot
 * match. Looks ids up in chunks (bound arrays travel in the request URL over HTTP), narrowed by
 * tenant and session so the primary key prunes the scan; the bloom filter on event_id does the rest.
 */
import type { ClickHouseHandle } from './open-clickhouse.js';
import type { PreparedRows } from './prepared-rows.js';

const LOOKUP_CHUNK = 2_000;

export async function existingEventIds(handle: ClickHouseHandle, rows: Pick<PreparedRows, 'ids' | 'tenants' | 'sessions'>): Promise<Set<string>> {
  const found = new Set<string>();
  for (let start = 0; start < rows.ids.length; start += LOOKUP_CHUNK) {
    const end = start + LOOKUP_CHUNK;
    const rs = await handle.client.query({
      query: `SELECT DISTINCT event_id FROM ${handle.database}.audit_events
        WHERE tenant IN {tenants:Array(String)}
          AND session_id IN {sessions:Array(String)}
          AND event_id IN {ids:Array(String)}`,
      query_params: {
        tenants: [...new Set(rows.tenants.slice(start, end))],
        sessions: [...new Set(rows.sessions.slice(start, end))],
        ids: rows.ids.slice(start, end),
      },
      format: 'JSONEachRow',
    });
    for (const row of await rs.json<{ event_id: string }>()) found.add(row.event_id);
  }
  return found;
}

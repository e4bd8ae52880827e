/**
 * Read helpers over `audit_events` for tests and the operator API. Filters are structured
 * (tenant, session) and bound as query parameters, never pasted into SQL. `countEvents` counts
 * physical rows (no FINAL) unless asked, which is what proves an insert stored no duplicate;
 * `eventsForSession` reads with FINAL and returns AuditEvents, times as decimal ns strings.
 */
import type { AuditEvent } from '../model/audit-event.js';
import { EVENT_SELECT_COLUMNS, fromRow, type SelectedEventRow } from './event-row.js';
import type { ClickHouseHandle } from './open-clickhouse.js';
import { withStorageErrors } from './storage-errors.js';

export interface EventFilter {
  tenant?: string;
  sessionId?: string;
  /** Collapse rows not yet merged away (ReplacingMergeTree). Default false: count stored rows. */
  final?: boolean;
}

function whereClause(filter: EventFilter): { sql: string; params: Record<string, string> } {
  const parts: string[] = [];
  const params: Record<string, string> = {};
  if (filter.tenant !== undefined) {
    parts.push('tenant = {tenant:String}');
    params.tenant = filter.tenant;
  }
  if (filter.sessionId !== undefined) {
    parts.push('session_id = {session_id:String}');
    params.session_id = filter.sessionId;
  }
  return { sql: parts.length > 0 ? `WHERE ${parts.join(' AND ')}` : '', params };
}

export async function countEvents(handle: ClickHouseHandle, filter: EventFilter = {}): Promise<number> {
  const where = whereClause(filter);
  return withStorageErrors('count events', async () => {
    const rs = await handle.client.query({
      query: `SELECT count() AS n FROM ${handle.database}.audit_events${filter.final ? ' FINAL' : ''} ${where.sql}`,
      query_params: where.params,
      format: 'JSONEachRow',
    });
    const rows = await rs.json<{ n: string }>();
    return Number(rows[0]?.n ?? 0);
  });
}

export async function eventsForSession(handle: ClickHouseHandle, tenant: string, sessionId: string): Promise<AuditEvent[]> {
  return withStorageErrors('read session events', async () => {
    const rs = await handle.client.query({
      query: `SELECT ${EVENT_SELECT_COLUMNS} FROM ${handle.database}.audit_events FINAL
        WHERE tenant = {tenant:String} AND session_id = {session_id:String}
        ORDER BY time, event_id`,
      query_params: { tenant, session_id: sessionId },
      format: 'JSONEachRow',
    });
    return (await rs.json<SelectedEventRow>()).map(fromRow);
  });
}

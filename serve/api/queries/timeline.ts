/**
 * A session's timeline: its events in time order, each tool call's intent paired with its
 * execution through `tool_call_id`. One call can be reported by several sources (a hook's
 * PreToolUse and the agent's own tool_decision share Claude Code's tool_use_id): the first
 * intent and the first execution are the pair, the rest ride along as `related`. Intents and
 * executions without a call id, and session events (declarations, prompts), stand alone.
 * Items are ordered by their first event.
 *
 * The session's rows are read with an explicit PREWHERE on the two leading columns of the
 * sorting key: ClickHouse does not move conditions to PREWHERE by itself under FINAL (a filter on
 * a column outside the key could drop the version FINAL would keep), so without it every column of
 * every granule the key range selects — in parts where the session has no rows as well — is read
 * before the filter. A filter on key columns is the same for every version of a row, so FINAL
 * keeps the same rows either way.
 */
import type { AuditEvent } from '../../../model/audit-event.js';
import type { ClickHouseHandle } from '../../../store/index.js';
import { EVENT_SELECT_COLUMNS, fromRow, type SelectedEventRow } from '../../../store/event-row.js';
import { queryRows, table } from './run-query.js';
import { nsToRfc3339OrEmpty } from '../../../lib/rfc3339.js';

export type TimelineEvent = AuditEvent & { at: string };

export type TimelineItem =
  | { kind: 'call'; at: string; tool_call_id: string; intent: TimelineEvent | null; execution: TimelineEvent | null; related: TimelineEvent[] }
  | { kind: 'event'; at: string; event: TimelineEvent };

type CallItem = Extract<TimelineItem, { kind: 'call' }>;

export const DEFAULT_TIMELINE_LIMIT = 5_000;
export const MAX_TIMELINE_LIMIT = 50_000;

export async function sessionEvents(handle: ClickHouseHandle, tenant: string, sessionId: string, limit: number): Promise<TimelineEvent[]> {
  const rows = await queryRows<SelectedEventRow>(
    handle,
    'read session events',
    `SELECT ${EVENT_SELECT_COLUMNS} FROM ${table(handle, 'audit_events')} FINAL
      PREWHERE tenant = {tenant:String} AND session_id = {session_id:String}
      ORDER BY time, event_id
      LIMIT {limit:UInt32}`,
    { tenant, session_id: sessionId, limit },
  );
  return rows.map((row) => {
    const event = fromRow(row);
    return { ...event, at: nsToRfc3339OrEmpty(event.time_ns) };
  });
}

export function pairTimeline(events: readonly TimelineEvent[]): TimelineItem[] {
  const items: TimelineItem[] = [];
  const calls = new Map<string, CallItem>();
  for (const event of events) {
    const isAction = event.phase === 'intent' || event.phase === 'execution';
    if (!isAction) {
      items.push({ kind: 'event', at: event.at, event });
      continue;
    }
    const slot = event.phase === 'intent' ? 'intent' : 'execution';
    const open = event.tool_call_id === '' ? undefined : calls.get(event.tool_call_id);
    if (open === undefined) {
      const call: CallItem = { kind: 'call', at: event.at, tool_call_id: event.tool_call_id, intent: null, execution: null, related: [] };
      call[slot] = event;
      items.push(call);
      if (event.tool_call_id !== '') calls.set(event.tool_call_id, call);
    } else if (open[slot] === null) {
      open[slot] = event;
    } else {
      open.related.push(event);
    }
  }
  return items;
}

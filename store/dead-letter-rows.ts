/**
 * What storage refused, as dead letters: the DeadLetterSink takes a ConsumedMessage, so a row
 * ClickHouse refused, or an event storage could not prepare, travels as one — under the origin
 * of the transport message it came from, keyed by its session, with headers that say what it is
 * and whose: `warden.row.format` (`JSONCompactEachRow`: the value is the row's line, columns in
 * `warden.row.columns` order; `AuditEvent`: the value is the event's JSON), `warden.event_id`,
 * `warden.tenant`, `warden.session_id`. Enough to find the event, or to replay the row into
 * `audit_events` once whatever refused it is fixed.
 */
import type { AuditEvent } from '../model/audit-event.js';
import type { ConsumedMessage, MessageOrigin } from '../receive/transport/transport.js';
import { INSERT_COLUMNS } from './event-row.js';
import { rowLine, type PreparedRows } from './prepared-rows.js';

export const ROW_DEAD_LETTER_HEADERS = {
  format: 'warden.row.format',
  columns: 'warden.row.columns',
  eventId: 'warden.event_id',
  tenant: 'warden.tenant',
  sessionId: 'warden.session_id',
} as const;

/** A dead letter's reason carries this many characters of the error at most. */
export const MAX_REASON_CHARS = 1_024;

function identity(eventId: string, tenant: string, sessionId: string): Record<string, string> {
  const h = ROW_DEAD_LETTER_HEADERS;
  return { [h.eventId]: eventId, [h.tenant]: tenant, [h.sessionId]: sessionId };
}

/** Row `index` of `rows` as a dead letter (its bytes copied: the gathered buffers are released after the insert). */
export function rowDeadLetter(rows: PreparedRows, index: number, origin: MessageOrigin): ConsumedMessage {
  return {
    signal: rows.signals[index]!,
    encoding: 'otlp_json',
    key: rows.sessions[index]!,
    value: Buffer.from(rowLine(rows, index)),
    headers: {
      [ROW_DEAD_LETTER_HEADERS.format]: 'JSONCompactEachRow',
      [ROW_DEAD_LETTER_HEADERS.columns]: INSERT_COLUMNS.join(','),
      ...identity(rows.ids[index]!, rows.tenants[index]!, rows.sessions[index]!),
    },
    origin,
  };
}

/** An event storage could not prepare, as a dead letter (its JSON; lone surrogates are escaped, so the bytes are valid UTF-8). */
export function eventDeadLetter(event: AuditEvent, origin: MessageOrigin): ConsumedMessage {
  return {
    signal: event.signal,
    encoding: 'otlp_json',
    key: event.session_id,
    value: Buffer.from(JSON.stringify(event)),
    headers: { [ROW_DEAD_LETTER_HEADERS.format]: 'AuditEvent', ...identity(event.event_id, event.tenant, event.session_id) },
    origin,
  };
}

/** The error's message, cut to MAX_REASON_CHARS. */
export function reasonOf(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).slice(0, MAX_REASON_CHARS);
}

/**
 * The storage contract the pipeline writes through. Implemented over @clickhouse/client, with
 * the chdb connection (embedded) or HTTP (server): same SQL either way.
 */
import type { AuditEvent } from '../model/audit-event.js';
import type { PreparedRows } from './prepared-rows.js';

export interface AuditStore {
  /**
   * Stores a batch idempotently: retrying the same batch, or re-delivering events already stored,
   * never creates a second row. Rejects with a RetryableError when ClickHouse is unavailable.
   * The same as `insertRows(await prepareEvents(events))`.
   */
  insertEvents(events: AuditEvent[], options?: InsertEventsOptions): Promise<void>;
  /**
   * Converts events to their insert form now (serialized and validated; a PermanentError
   * INVALID_EVENT names a field that cannot be stored). The pipeline does this as events arrive
   * and gathers the rows, not the events, until the insert.
   */
  prepareEvents(events: readonly AuditEvent[]): Promise<PreparedRows>;
  /** Stores prepared rows, with the guarantees of `insertEvents`. */
  insertRows(rows: PreparedRows, options?: InsertEventsOptions): Promise<void>;
}

/** Per-call insert options (all optional; omitting them keeps the one-argument behaviour). */
export interface InsertEventsOptions {
  /**
   * Look up which of the batch's event ids are already stored and insert only the rest. For
   * re-delivery after a crash, when a batch may be composed differently from the one that was
   * (partly) stored; costs one lookup query per batch.
   */
  checkExisting?: boolean;
}

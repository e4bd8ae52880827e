/**
 * The storage contract the pipeline writes through. Implemented over @clickhouse/client, with
 * the chdb connection (embedded) or HTTP (server): same SQL either way.
 */
import type { AuditEvent } from '../audit-event.js';

export interface AuditStore {
  /**
   * Stores a batch idempotently: retrying the same batch, or re-delivering events already stored,
   * never creates a second row. Rejects with a RetryableError when ClickHouse is unavailable.
   */
  insertEvents(events: AuditEvent[], options?: InsertEventsOptions): Promise<void>;
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

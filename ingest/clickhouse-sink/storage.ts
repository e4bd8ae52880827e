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
  insertEvents(events: AuditEvent[]): Promise<void>;
}

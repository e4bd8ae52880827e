/**
 * ClickHouseAuditStore: the AuditStore the pipeline writes through. One batch becomes one
 * JSONCompactEachRow insert into `audit_events`, tagged with an insert_deduplication_token derived from
 * the batch's event ids, so retrying a batch never stores it twice. With `checkExisting` it first
 * asks which events are already stored and inserts only the rest (re-delivery of a batch composed
 * differently after a crash). Failures come out as RetryableError('STORAGE_UNAVAILABLE') or a
 * PermanentError; every call reports insert time, events sent and errors to the metrics.
 */
import type { Clock } from '../../lib/clock.js';
import { systemClock } from '../../lib/clock.js';
import { mapInSlices } from '../../lib/chunked.js';
import type { Logger } from '../../lib/logger.js';
import type { Metrics } from '../../lib/metrics.js';
import type { AuditEvent } from '../audit-event.js';
import { batchToken } from './dedup-token.js';
import { compactRowOf, INSERT_COLUMNS } from './event-row.js';
import { existingEventIds } from './existing-events.js';
import type { ClickHouseHandle } from './open-clickhouse.js';
import { mapStorageError } from './storage-errors.js';
import type { AuditStore, InsertEventsOptions } from './storage.js';

const STAGE = 'clickhouse';

export interface ClickHouseAuditStoreOptions {
  logger: Logger;
  metrics: Metrics;
  clock?: Clock;
}

/** Keeps the last occurrence of each event id: a batch never holds two rows for one event. */
function lastById(events: readonly AuditEvent[]): AuditEvent[] {
  const byId = new Map<string, AuditEvent>();
  for (const e of events) {
    byId.delete(e.event_id);
    byId.set(e.event_id, e);
  }
  return [...byId.values()];
}

export class ClickHouseAuditStore implements AuditStore {
  private readonly handle: ClickHouseHandle;
  private readonly logger: Logger;
  private readonly metrics: Metrics;
  private readonly clock: Clock;
  private readonly table: string;

  constructor(handle: ClickHouseHandle, options: ClickHouseAuditStoreOptions) {
    this.handle = handle;
    this.logger = options.logger.child({ component: 'clickhouse-sink' });
    this.metrics = options.metrics;
    this.clock = options.clock ?? systemClock;
    this.table = `${handle.database}.audit_events`;
  }

  async insertEvents(events: AuditEvent[], options: InsertEventsOptions = {}): Promise<void> {
    if (events.length === 0) return;
    const started = this.clock.now();
    try {
      let batch = lastById(events);
      // Serialized (and validated) up front, in slices: a gathered insert holds thousands of
      // events, and detection shares this thread.
      let lines = await mapInSlices(batch, (e) => JSON.stringify(compactRowOf(e)));
      if (options.checkExisting) {
        const existing = await existingEventIds(this.handle, batch);
        if (existing.size > 0) {
          this.logger.debug({ existing: existing.size, batch: batch.length }, 'skipping events already stored');
          lines = lines.filter((_, i) => !existing.has(batch[i]!.event_id));
          batch = batch.filter((e) => !existing.has(e.event_id));
        }
      }
      if (batch.length > 0) await this.insertLines(batch, lines);
      this.countSent(batch);
    } catch (err) {
      const mapped = mapStorageError(err, 'insert');
      this.metrics.errors.inc({ stage: STAGE, code: mapped.code });
      this.logger.warn({ code: mapped.code, retryable: mapped.retryable, events: events.length }, mapped.message);
      throw mapped;
    } finally {
      this.metrics.insertSeconds.observe((this.clock.now() - started) / 1000);
    }
  }

  private async insertLines(batch: readonly AuditEvent[], lines: readonly string[]): Promise<void> {
    await this.handle.insertFormatted({
      table: this.table,
      columns: INSERT_COLUMNS,
      body: Buffer.from(lines.join('\n')),
      settings: { insert_deduplication_token: batchToken(batch.map((e) => e.event_id)) },
    });
  }

  private countSent(batch: readonly AuditEvent[]): void {
    let traces = 0;
    for (const e of batch) if (e.signal === 'traces') traces++;
    if (traces > 0) this.metrics.sent.inc({ stage: STAGE, signal: 'traces' }, traces);
    if (batch.length > traces) this.metrics.sent.inc({ stage: STAGE, signal: 'logs' }, batch.length - traces);
  }
}

/**
 * ClickHouseAuditStore: the AuditStore the pipeline writes through. Events are first prepared
 * (serialized to rows, see prepared-rows.ts); one batch of rows becomes one
 * JSONCompactEachRow insert into `audit_events`, tagged with an insert_deduplication_token derived from
 * the batch's events (tenant, session and id of each: dedup-token.ts), so retrying a batch never stores it twice. With `checkExisting` it first
 * asks which events are already stored and inserts only the rest (re-delivery of a batch composed
 * differently after a crash). Intents whose id is their tool call's (`PreparedRows.byCall`) are
 * checked on every insert: the same call's intent arriving again through another channel (the
 * gate's hook record, then the agent's telemetry) is not stored a second time — the first copy
 * stored is the event. An insert never spans more day partitions than ClickHouse takes in
 * one block (`max_partitions_per_insert_block`, 100 by default): rows of more days go as several
 * inserts, each with its own token. Text with lone surrogates is stored with U+FFFD in their place,
 * counted (`warden_errors_total{stage="clickhouse",code="LONE_SURROGATE_REPLACED"}`) and logged.
 * Failures come out as RetryableError('STORAGE_UNAVAILABLE') or a PermanentError (see
 * storage-errors.ts); every call reports insert time, events sent and errors to the metrics.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Clock } from '../lib/clock.js';
import { systemClock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import type { Metrics } from '../lib/metrics.js';
import type { AuditEvent } from '../model/audit-event.js';
import { batchToken } from './dedup-token.js';
import { INSERT_COLUMNS } from './event-row.js';
import { existingEventIds } from './existing-events.js';
import type { ClickHouseHandle } from './open-clickhouse.js';
import { filterRows, insertBody, lastById, prepareRows, splitByDay, type PreparedRows } from './prepared-rows.js';
import { mapStorageError } from './storage-errors.js';
import type { AuditStore, InsertEventsOptions } from './storage.js';

const STAGE = 'clickhouse';
/** ClickHouse's default `max_partitions_per_insert_block`; `audit_events` has one partition per day. */
export const DEFAULT_MAX_DAYS_PER_INSERT = 100;
export const LONE_SURROGATE_REPLACED = 'LONE_SURROGATE_REPLACED';

export interface ClickHouseAuditStoreOptions {
  logger: Logger;
  metrics: Metrics;
  clock?: Clock;
  /** Most day partitions one insert block may touch (at most the server's max_partitions_per_insert_block). */
  maxDaysPerInsert?: number;
}

export class ClickHouseAuditStore implements AuditStore {
  private readonly handle: ClickHouseHandle;
  private readonly logger: Logger;
  private readonly metrics: Metrics;
  private readonly clock: Clock;
  private readonly table: string;
  private readonly maxDaysPerInsert: number;

  constructor(handle: ClickHouseHandle, options: ClickHouseAuditStoreOptions) {
    this.handle = handle;
    this.logger = options.logger.child({ component: 'clickhouse-sink' });
    this.metrics = options.metrics;
    this.clock = options.clock ?? systemClock;
    this.table = `${handle.database}.audit_events`;
    this.maxDaysPerInsert = options.maxDaysPerInsert ?? DEFAULT_MAX_DAYS_PER_INSERT;
  }

  async insertEvents(events: AuditEvent[], options: InsertEventsOptions = {}): Promise<void> {
    if (events.length === 0) return;
    await this.insertRows(await this.prepareEvents(events), options);
  }

  async prepareEvents(events: readonly AuditEvent[]): Promise<PreparedRows> {
    try {
      return await prepareRows(events, (i) => {
        const e = events[i]!;
        this.metrics.errors.inc({ stage: STAGE, code: LONE_SURROGATE_REPLACED });
        this.logger.warn({ code: LONE_SURROGATE_REPLACED, event_id: e.event_id, tenant: e.tenant, session_id: e.session_id }, 'lone UTF-16 surrogates replaced with U+FFFD before storage');
      });
    } catch (err) {
      throw this.failed(err, events.length);
    }
  }

  async insertRows(rows: PreparedRows, options: InsertEventsOptions = {}): Promise<void> {
    if (rows.ids.length === 0) return;
    const started = this.clock.now();
    try {
      let batch = lastById(rows);
      // The steps before an insert of 5,000 rows take ~10 ms of the thread that detects (the
      // duplicates' check, the token's sort and hash, the body's copy): each gets its own turn
      // of the event loop, so an event waiting for detection waits for one of them, not all.
      await nextTurn();
      const toCheck = options.checkExisting ? batch : filterRows(batch, (i) => batch.byCall[i]!);
      if (toCheck.ids.length > 0) {
        const existing = await existingEventIds(this.handle, toCheck);
        if (existing.size > 0) {
          this.logger.debug({ existing: existing.size, batch: batch.ids.length }, 'skipping events already stored');
          batch = filterRows(batch, (i) => !existing.has(batch.ids[i]!));
        }
      }
      // One insert per group of days; a retry of the whole call repeats the groups already
      // stored with the same tokens, which ClickHouse drops.
      if (batch.ids.length > 0) {
        for (const group of splitByDay(batch, this.maxDaysPerInsert)) {
          const token = batchToken(group);
          await nextTurn();
          const body = insertBody(group);
          await this.handle.insertFormatted({
            table: this.table,
            columns: INSERT_COLUMNS,
            body: body.bytes,
            settings: { insert_deduplication_token: token },
          });
          // Only once the insert is done: a failed one may still be sending its body.
          body.release();
        }
      }
      this.countSent(batch);
    } catch (err) {
      throw this.failed(err, rows.ids.length);
    } finally {
      this.metrics.insertSeconds.observe((this.clock.now() - started) / 1000);
    }
  }

  private failed(err: unknown, events: number): Error {
    const mapped = mapStorageError(err, 'insert');
    this.metrics.errors.inc({ stage: STAGE, code: mapped.code });
    this.logger.warn({ code: mapped.code, retryable: mapped.retryable, events }, mapped.message);
    return mapped;
  }

  private countSent(batch: PreparedRows): void {
    let traces = 0;
    for (const signal of batch.signals) if (signal === 'traces') traces++;
    if (traces > 0) this.metrics.sent.inc({ stage: STAGE, signal: 'traces' }, traces);
    if (batch.ids.length > traces) this.metrics.sent.inc({ stage: STAGE, signal: 'logs' }, batch.ids.length - traces);
  }
}

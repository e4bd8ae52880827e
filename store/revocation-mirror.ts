/**
 * Copies revocation records to ClickHouse's `revocations` table (004_revocations.sql) for
 * dashboards and post-incident queries. It never blocks the revoke path: `add()` queues the
 * record and returns; records are gathered for `gatherMs` (or until a batch is full), so a
 * storm of revocations makes a few inserts rather than one each (every insert is a ClickHouse
 * part to merge later); a background loop inserts batches (JSONCompactEachRow, deduplicated by a
 * token over the records' hashes), retrying with backoff while ClickHouse is unavailable and
 * dropping (logged, counted) a batch ClickHouse rejects. The log file stays the source of
 * truth: at start `backfill()` inserts every logged record the table does not hold yet, so
 * records that were only queued when Warden stopped reach ClickHouse on the next start.
 *
 * Distributed mode: `addRemote()` takes the records other instances published on the revocation
 * topic. An instance that dies for good (SIGKILL, a pod without its volume) may have published a
 * record it never inserted, and no start of it will backfill that. So each record from another
 * instance is looked up in the table after `remoteGraceMs` (its origin's own insert first, given
 * its gather and a retry), and those still missing are inserted in hash order, in batches of
 * the same size, so each instance that finds the same records missing makes the same inserts
 * under the same tokens, and ClickHouse keeps one copy (one record alone gets the token its
 * origin gave it alone). A batch that failed is looked up before it is tried again, for the same
 * reason.
 */
import { createHash } from 'node:crypto';
import type { Logger } from '../lib/logger.js';
import type { Metrics } from '../lib/metrics.js';
import { backoffDelay } from '../lib/retry.js';
import type { ClickHouseHandle } from './open-clickhouse.js';
import { mapStorageError } from './storage-errors.js';
import type { RevocationRecord } from '../respond/kill-switch/contracts.js';
import type { RecordMirror } from '../respond/kill-switch/revocation-log.js';
import { rfc3339ToDateTime64 } from '../lib/rfc3339.js';
import { systemSchedule, type Cancel, type ScheduleFn } from '../respond/kill-switch/schedule.js';

const STAGE = 'revocation_mirror';
const COLUMNS = ['tenant', 'session_id', 'action', 'at', 'by', 'reason', 'finding_id', 'prev_hash', 'hash'] as const;
export const DEFAULT_MIRROR_RETRY = { initialMs: 1_000, maxMs: 60_000 } as const;
const BATCH = 500;
export const DEFAULT_MIRROR_GATHER_MS = 250;
/** How long another instance's record waits for its origin's insert before it is looked up. */
export const DEFAULT_REMOTE_GRACE_MS = 10_000;

export interface ClickHouseRevocationMirrorOptions {
  handle: ClickHouseHandle;
  logger: Logger;
  metrics: Metrics;
  schedule?: ScheduleFn;
  random?: () => number;
  retry?: { initialMs?: number; maxMs?: number };
  /** How long added records wait for company before they are inserted (default 250 ms). */
  gatherMs?: number;
  /** How long another instance's record waits before it is looked up in the table (default 10 s; it waits up to twice that). */
  remoteGraceMs?: number;
}

/** The deduplication token of an insert: over the hashes of its records, in order. */
function insertToken(batch: readonly RevocationRecord[]): string {
  return createHash('sha256').update(batch.map((r) => r.hash).join(',')).digest('hex');
}

export class ClickHouseRevocationMirror implements RecordMirror {
  private queue: RevocationRecord[] = [];
  /** Other instances' records missing from the table, queued in batches of their own: each batch's length by its first record's hash, and every member. */
  private readonly chunkStarts = new Map<string, number>();
  private readonly chunked = new Set<string>();
  /** Other instances' records: arrived since the last look-up, and arrived before it (due at the next). */
  private arriving: RevocationRecord[] = [];
  private due: RevocationRecord[] = [];
  private remoteTimer: Cancel | undefined;
  private remoteChecks: Promise<void> = Promise.resolve();
  private running = false;
  private draining: Promise<void> = Promise.resolve();
  private failures = 0;
  private retryTimer: Cancel | undefined;
  private gatherTimer: Cancel | undefined;
  private closed = false;
  private backfilling: Promise<void> = Promise.resolve();
  private idleWaiters: Array<() => void> = [];
  private readonly logger: Logger;
  private readonly table: string;

  constructor(private readonly options: ClickHouseRevocationMirrorOptions) {
    this.logger = options.logger.child({ component: 'revocation-mirror' });
    this.table = `${options.handle.database}.revocations`;
  }

  add(record: RevocationRecord): void {
    if (this.closed) return;
    this.queue.push(record);
    if (this.queue.length >= BATCH) return this.kick();
    if (this.gatherTimer || this.running || this.retryTimer) return;
    this.gatherTimer = (this.options.schedule ?? systemSchedule)(() => {
      this.gatherTimer = undefined;
      this.kick();
    }, this.options.gatherMs ?? DEFAULT_MIRROR_GATHER_MS);
  }

  /**
   * A record another instance published: looked up after the grace (between one and two of
   * them), and inserted if the table does not hold it by then.
   */
  addRemote(record: RevocationRecord): void {
    if (this.closed) return;
    this.arriving.push(record);
    this.armRemote();
  }

  private armRemote(): void {
    if (this.remoteTimer || this.closed || this.arriving.length + this.due.length === 0) return;
    this.remoteTimer = (this.options.schedule ?? systemSchedule)(() => {
      this.remoteTimer = undefined;
      const due = this.due;
      this.due = this.arriving;
      this.arriving = [];
      if (due.length > 0) this.remoteChecks = this.remoteChecks.then(() => this.insertMissing(due));
      this.armRemote();
    }, this.options.remoteGraceMs ?? DEFAULT_REMOTE_GRACE_MS);
  }

  private async insertMissing(records: readonly RevocationRecord[]): Promise<void> {
    try {
      const missing = await this.withRetry(() => this.missing(records));
      if (missing.length === 0 || this.closed) return;
      this.logger.info({ records: missing.length }, "inserting other instances' revocations missing from ClickHouse");
      const ordered = [...missing].sort((a, b) => (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0));
      for (let i = 0; i < ordered.length; i += BATCH) {
        const chunk = ordered.slice(i, i + BATCH);
        this.chunkStarts.set(chunk[0]!.hash, chunk.length);
        for (const r of chunk) {
          this.chunked.add(r.hash);
          this.queue.push(r);
        }
      }
      this.kick();
    } catch (err) {
      this.logger.error({ err: (err as Error).message }, "looking up other instances' revocations failed");
    }
  }

  backfill(records: readonly RevocationRecord[]): void {
    if (records.length === 0) return;
    this.backfilling = this.withRetry(() => this.missing(records))
      .then((missing) => {
        if (missing.length > 0) this.logger.info({ records: missing.length }, 'backfilling revocations missing from ClickHouse');
        this.queue.unshift(...missing);
        this.kick();
      })
      .catch((err: unknown) => this.logger.error({ err: (err as Error).message }, 'revocation backfill failed'));
  }

  /** Resolves when everything queued so far is in ClickHouse (or was rejected). */
  async flush(): Promise<void> {
    await this.backfilling;
    await this.remoteChecks;
    if (this.queue.length === 0 && !this.running) return;
    if (this.gatherTimer) {
      this.gatherTimer();
      this.gatherTimer = undefined;
      this.kick();
    }
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  /** Resolves when no look-up or insert is in flight (a retry or a grace may still be waiting on its timer). */
  async idle(): Promise<void> {
    await this.remoteChecks;
    await this.draining;
  }

  /** Stops inserting; what is still queued is filled in by the next start's backfill. */
  close(): void {
    this.closed = true;
    this.retryTimer?.();
    this.gatherTimer?.();
    this.remoteTimer?.();
    for (const wake of this.idleWaiters.splice(0)) wake();
  }

  private kick(): void {
    if (this.running || this.retryTimer || this.closed) return;
    this.running = true;
    this.draining = this.drain().finally(() => {
      this.running = false;
      if (this.queue.length === 0 || this.closed) for (const wake of this.idleWaiters.splice(0)) wake();
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0 && !this.closed) {
      const batch = this.nextBatch();
      try {
        // After a failure the insert may have landed after all, or another instance may have
        // inserted the records meanwhile: only what the table lacks is tried again.
        const rows = this.failures > 0 ? await this.missing(batch) : batch;
        if (rows.length > 0) await this.insert(rows);
        this.unqueue(batch);
        this.failures = 0;
        this.options.metrics.sent.inc({ stage: STAGE, signal: 'revocations' }, batch.length);
      } catch (err) {
        const mapped = mapStorageError(err, 'insert revocations');
        this.options.metrics.errors.inc({ stage: STAGE, code: mapped.code });
        if (!mapped.retryable) {
          this.unqueue(batch);
          this.logger.error({ code: mapped.code, records: batch.length }, `revocations not mirrored: ${mapped.message}`);
          continue;
        }
        this.failures++;
        const delay = backoffDelay(this.failures, this.options.retry?.initialMs ?? DEFAULT_MIRROR_RETRY.initialMs, this.options.retry?.maxMs ?? DEFAULT_MIRROR_RETRY.maxMs, this.options.random ?? Math.random);
        this.logger.warn({ code: mapped.code, attempt: this.failures, retry_in_ms: delay }, 'ClickHouse unavailable; revocations will be mirrored later');
        this.retryTimer = (this.options.schedule ?? systemSchedule)(() => {
          this.retryTimer = undefined;
          this.kick();
        }, delay);
        return;
      }
    }
  }

  /** Another instance's batch as it was made, or this instance's records up to the next such batch (at most BATCH). */
  private nextBatch(): RevocationRecord[] {
    const chunk = this.chunkStarts.get(this.queue[0]!.hash);
    if (chunk !== undefined) return this.queue.slice(0, chunk);
    let end = 1;
    while (end < this.queue.length && end < BATCH && !this.chunked.has(this.queue[end]!.hash)) end++;
    return this.queue.slice(0, end);
  }

  private unqueue(batch: readonly RevocationRecord[]): void {
    this.queue.splice(0, batch.length);
    this.chunkStarts.delete(batch[0]!.hash);
    for (const r of batch) this.chunked.delete(r.hash);
  }

  private async insert(batch: readonly RevocationRecord[]): Promise<void> {
    const rows = batch.map((r) => JSON.stringify([r.tenant, r.session_id, r.action, rfc3339ToDateTime64(r.at), r.by, r.reason, r.finding_id ?? '', r.prev_hash, r.hash]));
    await this.options.handle.insertFormatted({
      table: this.table,
      columns: COLUMNS,
      body: Buffer.from(rows.join('\n')),
      settings: { insert_deduplication_token: insertToken(batch) },
    });
  }

  private async missing(records: readonly RevocationRecord[]): Promise<RevocationRecord[]> {
    const rs = await this.options.handle.client.query({ query: `SELECT DISTINCT hash FROM ${this.table}`, format: 'JSONEachRow' });
    const stored = new Set((await rs.json<{ hash: string }>()).map((r) => r.hash));
    return records.filter((r) => !stored.has(r.hash));
  }

  private async withRetry<T>(operation: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await operation();
      } catch (err) {
        const mapped = mapStorageError(err, 'read revocations');
        if (!mapped.retryable || this.closed) throw mapped;
        const delay = backoffDelay(attempt, this.options.retry?.initialMs ?? DEFAULT_MIRROR_RETRY.initialMs, this.options.retry?.maxMs ?? DEFAULT_MIRROR_RETRY.maxMs, this.options.random ?? Math.random);
        await new Promise<void>((resolve) => (this.options.schedule ?? systemSchedule)(resolve, delay));
      }
    }
  }
}

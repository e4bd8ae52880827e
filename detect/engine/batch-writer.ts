/**
 * Small asynchronous batches to ClickHouse that never hold up detection. Items are queued in
 * memory (a keyed item replaces its pending predecessor: the newest state of a session wins);
 * a batch is written when `maxBatch` items wait or every `flushIntervalMs` (injected timers).
 * A retryable failure keeps the batch for the next flush; a permanent one drops it (counted and
 * logged). Past `maxPending` the oldest items are dropped and counted, so a long outage costs
 * memory only up to the cap.
 */
import { errorCode, isRetryable } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { Metrics } from '../../lib/metrics.js';

export interface Timers {
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export const realTimers: Timers = {
  setInterval: (fn, ms) => {
    const h = setInterval(fn, ms);
    h.unref();
    return h;
  },
  clearInterval: (h) => clearInterval(h as NodeJS.Timeout),
};

export interface BatchWriterOptions<T> {
  /** Stage label in metrics and logs. */
  stage: string;
  write(items: T[]): Promise<void>;
  logger: Logger;
  metrics: Metrics;
  maxBatch?: number;
  flushIntervalMs?: number;
  maxPending?: number;
  timers?: Timers;
}

export class BatchWriter<T> {
  private readonly o: Required<Omit<BatchWriterOptions<T>, 'timers'>> & { timers: Timers };
  private readonly pending = new Map<string, T>();
  private seq = 0;
  private running: Promise<void> | null = null;
  private interval: unknown = null;

  constructor(options: BatchWriterOptions<T>) {
    this.o = { maxBatch: 100, flushIntervalMs: 1000, maxPending: 10_000, timers: realTimers, ...options };
  }

  get size(): number {
    return this.pending.size;
  }

  start(): void {
    this.interval ??= this.o.timers.setInterval(() => void this.flush(), this.o.flushIntervalMs);
  }

  add(item: T, key?: string): void {
    const k = key ?? `#${this.seq++}`;
    this.pending.delete(k);
    this.pending.set(k, item);
    while (this.pending.size > this.o.maxPending) {
      this.pending.delete(this.pending.keys().next().value!);
      this.o.metrics.errors.inc({ stage: this.o.stage, code: 'DROPPED_OVERFLOW' });
    }
    if (this.pending.size >= this.o.maxBatch) void this.flush();
  }

  /** Writes everything pending, batch by batch; stops at a retryable failure (kept for later). */
  flush(): Promise<void> {
    this.running ??= this.drain().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  async close(): Promise<void> {
    if (this.interval !== null) this.o.timers.clearInterval(this.interval);
    this.interval = null;
    await this.flush();
  }

  private async drain(): Promise<void> {
    while (this.pending.size > 0) {
      const batch = [...this.pending.entries()].slice(0, this.o.maxBatch);
      try {
        await this.o.write(batch.map(([, item]) => item));
        this.o.metrics.sent.inc({ stage: this.o.stage, signal: 'rows' }, batch.length);
      } catch (err) {
        this.o.metrics.errors.inc({ stage: this.o.stage, code: errorCode(err) });
        if (isRetryable(err)) {
          this.o.logger.warn({ code: errorCode(err), pending: this.pending.size }, `${this.o.stage}: storage unavailable, keeping the batch for the next flush`);
          return;
        }
        this.o.logger.error({ err, dropped: batch.length }, `${this.o.stage}: batch rejected, dropped`);
      }
      // Remove what was written (or rejected), unless a newer version of a keyed item arrived meanwhile.
      for (const [k, item] of batch) if (this.pending.get(k) === item) this.pending.delete(k);
    }
  }
}

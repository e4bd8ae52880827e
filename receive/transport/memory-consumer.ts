/**
 * The consuming side of the in-process transport: one loop that hands batches to the handler,
 * one call at a time, in queue order — so one session's messages stay in order. A batch leaves
 * the queue only when it is done: when the handler resolved, or, when the handler returned a
 * receipt (it stores in the background), when the receipt's `stored` resolved — meanwhile the
 * next batches are handed over (a bounded number in flight per topic, committed in order). When
 * the handler or a store fails, delivery rewinds to the failed batch, which is delivered again
 * after a backoff that doubles per consecutive failure. `stop()` drains: it keeps delivering
 * until the queue is empty or the drain timeout passes; then an in-flight call is abandoned
 * (ctx.isStale() is true) and whatever is still queued is reported as dropped.
 */
import { errorCode } from '../../lib/errors.js';
import { Latch } from '../../lib/latch.js';
import type { Logger } from '../../lib/logger.js';
import type { Metrics } from '../../lib/metrics.js';
import type { MemoryQueue } from './memory-queue.js';
import { CommitChain } from './commit-chain.js';
import type { BatchContext, BatchHandler, BatchReceipt, ConsumedMessage, Signal, TransportConsumer } from './transport.js';

const STAGE = 'memory-consumer';

export interface MemoryConsumerOptions {
  maxBatchMessages: number;
  /** Batches per topic whose store may still be running while the next ones are handled. */
  maxInFlight: number;
  retryBackoff: { initialMs: number; maxMs: number };
  drainTimeoutMs: number;
  logger: Logger;
  metrics: Metrics;
}

export class MemoryConsumer implements TransportConsumer {
  private loop: Promise<void> | undefined;
  private stopRequested = false;
  private deadlinePassed = false;
  /** Every wait of the loop is raced against it (a latch: a Promise.race would keep each race until stop). */
  private readonly deadline = new Latch<'abandoned'>();
  private deadlineTimer: NodeJS.Timeout | undefined;
  private readonly logger: Logger;
  /** Messages per topic handed over and not yet committed. */
  private readonly inFlight: Record<Signal, number> = { traces: 0, logs: 0 };
  private readonly chains: Record<Signal, CommitChain>;
  private readonly rewound: Record<Signal, boolean> = { traces: false, logs: false };
  private failures = 0;

  constructor(
    private readonly queue: MemoryQueue,
    private readonly options: MemoryConsumerOptions,
  ) {
    this.logger = options.logger.child({ component: STAGE });
    this.chains = { traces: new CommitChain(options.maxInFlight), logs: new CommitChain(options.maxInFlight) };
  }

  private readonly passDeadline = (): void => {
    if (this.deadlinePassed) return;
    this.deadlinePassed = true;
    this.deadline.fire('abandoned');
    this.queue.notify();
  };

  async start(handler: BatchHandler): Promise<void> {
    if (this.loop) throw new Error('memory consumer was already started');
    this.loop = this.run(handler);
  }

  /** Drains the queue (up to drainTimeoutMs), then stops. */
  async stop(): Promise<void> {
    if (!this.stopRequested) {
      this.stopRequested = true;
      this.deadlineTimer = setTimeout(this.passDeadline, this.options.drainTimeoutMs);
      this.queue.notify();
    }
    await this.loop;
    clearTimeout(this.deadlineTimer);
    this.passDeadline();
  }

  private async run(handler: BatchHandler): Promise<void> {
    const ctx: BatchContext = { heartbeat: async () => {}, isStale: () => this.deadlinePassed };
    while (!this.deadlinePassed) {
      for (const signal of ['traces', 'logs'] as const) {
        if (this.rewound[signal]) await this.rewind(signal);
      }
      const batch = this.queue.peekBatch(this.options.maxBatchMessages, this.inFlight);
      if (batch.length === 0) {
        if (this.stopRequested && this.inFlight.traces + this.inFlight.logs === 0) break;
        if (this.stopRequested) {
          await this.deadline.race(Promise.all([this.chains.traces.drain(), this.chains.logs.drain()]));
          // Everything handed over has settled; anything still counted in flight was abandoned.
          if (!this.rewound.traces && !this.rewound.logs) break;
        } else await this.queue.waitForMessages(this.inFlight);
        continue;
      }
      const signal = batch[0]!.signal;
      this.options.metrics.received.inc({ stage: STAGE, signal }, batch.length);
      const outcome = await this.deliver(handler, batch, ctx);
      if (outcome === 'abandoned') break;
      if (outcome === 'failed') {
        this.rewound[signal] = true;
        continue;
      }
      this.inFlight[signal] += batch.length;
      await this.deadline.race(
        this.chains[signal].add(outcome.stored, {
          commit: () => {
            this.failures = 0;
            this.queue.commit(batch);
            this.inFlight[signal] -= batch.length;
            this.options.metrics.queueDepth.set(this.queue.pending);
          },
          rewind: (err) => this.storeFailed(signal, batch, err),
        }),
      );
    }
    await this.deadline.race(Promise.all([this.chains.traces.drain(), this.chains.logs.drain()]));
    const dropped = this.queue.queued;
    if (dropped > 0) this.logger.warn({ dropped }, 'memory transport stopped with messages still queued');
  }

  private storeFailed(signal: Signal, batch: ConsumedMessage[], err: unknown): void {
    const { topic, offset } = batch[0]!.origin;
    this.options.metrics.errors.inc({ stage: STAGE, code: errorCode(err) });
    this.logger.warn({ topic, offset, messages: batch.length, code: errorCode(err), err: String(err) }, 'batch store failed; batch will be delivered again');
    this.rewound[signal] = true;
    this.queue.notify();
  }

  /** Waits for what is still in flight on the topic to settle, then restarts from its head after a backoff. */
  private async rewind(signal: Signal): Promise<void> {
    await this.deadline.race(this.chains[signal].drain());
    this.inFlight[signal] = 0;
    this.rewound[signal] = false;
    // Delivery restarts from the failed batch (the queue's head): only now may commits (which
    // remove batches from the head) flow again.
    this.chains[signal].restart();
    this.failures += 1;
    const { initialMs, maxMs } = this.options.retryBackoff;
    await this.sleep(Math.min(initialMs * 2 ** (this.failures - 1), maxMs));
  }

  private deliver(handler: BatchHandler, batch: ConsumedMessage[], ctx: BatchContext): Promise<BatchReceipt | 'failed' | 'abandoned'> {
    const call = Promise.resolve()
      .then(() => handler(batch, ctx))
      .then(
        (receipt): BatchReceipt => receipt ?? { stored: Promise.resolve() },
        (err: unknown) => {
          const { topic, offset } = batch[0]!.origin;
          this.options.metrics.errors.inc({ stage: STAGE, code: errorCode(err) });
          this.logger.warn(
            { topic, offset, messages: batch.length, code: errorCode(err), err: String(err) },
            'batch handler failed; batch will be delivered again',
          );
          return 'failed' as const;
        },
      );
    return this.deadline.race(call);
  }

  private sleep(ms: number): Promise<unknown> {
    let timer: NodeJS.Timeout | undefined;
    const slept = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    });
    return this.deadline.race(slept).finally(() => clearTimeout(timer));
  }
}

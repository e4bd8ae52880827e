/**
 * The consuming side of the in-process transport: one loop that hands batches to the handler,
 * one call at a time, in queue order — so one session's messages stay in order. A batch leaves
 * the queue only when the handler resolved; when it rejects, the same batch is delivered again
 * after a backoff that doubles per consecutive failure. `stop()` drains: it keeps delivering
 * until the queue is empty or the drain timeout passes; then an in-flight call is abandoned
 * (ctx.isStale() is true) and whatever is still queued is reported as dropped.
 */
import { errorCode } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { Metrics } from '../../lib/metrics.js';
import type { MemoryQueue } from './memory-queue.js';
import type { BatchContext, BatchHandler, ConsumedMessage, TransportConsumer } from './transport.js';

const STAGE = 'memory-consumer';

export interface MemoryConsumerOptions {
  maxBatchMessages: number;
  retryBackoff: { initialMs: number; maxMs: number };
  drainTimeoutMs: number;
  logger: Logger;
  metrics: Metrics;
}

export class MemoryConsumer implements TransportConsumer {
  private loop: Promise<void> | undefined;
  private stopRequested = false;
  private deadlinePassed = false;
  private readonly deadline: Promise<'abandoned'>;
  private passDeadline: () => void = () => {};
  private deadlineTimer: NodeJS.Timeout | undefined;
  private readonly logger: Logger;

  constructor(
    private readonly queue: MemoryQueue,
    private readonly options: MemoryConsumerOptions,
  ) {
    this.logger = options.logger.child({ component: STAGE });
    this.deadline = new Promise((resolve) => {
      this.passDeadline = () => {
        this.deadlinePassed = true;
        resolve('abandoned');
        this.queue.notify();
      };
    });
  }

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
    let failures = 0;
    while (!this.deadlinePassed) {
      const batch = this.queue.peekBatch(this.options.maxBatchMessages);
      if (batch.length === 0) {
        if (this.stopRequested) break;
        await this.queue.waitForMessages();
        continue;
      }
      this.options.metrics.received.inc({ stage: STAGE, signal: batch[0]!.signal }, batch.length);
      const outcome = await this.deliver(handler, batch, ctx);
      if (outcome === 'abandoned') break;
      if (outcome === 'done') {
        failures = 0;
        this.queue.commit(batch);
        this.options.metrics.queueDepth.set(this.queue.pending);
        continue;
      }
      failures += 1;
      const { initialMs, maxMs } = this.options.retryBackoff;
      await this.sleep(Math.min(initialMs * 2 ** (failures - 1), maxMs));
    }
    const dropped = this.queue.queued;
    if (dropped > 0) this.logger.warn({ dropped }, 'memory transport stopped with messages still queued');
  }

  private deliver(handler: BatchHandler, batch: ConsumedMessage[], ctx: BatchContext): Promise<'done' | 'failed' | 'abandoned'> {
    const call = Promise.resolve()
      .then(() => handler(batch, ctx))
      .then(
        () => 'done' as const,
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
    return Promise.race([call, this.deadline]);
  }

  private sleep(ms: number): Promise<unknown> {
    let timer: NodeJS.Timeout | undefined;
    const slept = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    });
    return Promise.race([slept, this.deadline]).finally(() => clearTimeout(timer));
  }
}

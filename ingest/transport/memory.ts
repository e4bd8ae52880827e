/**
 * The in-process transport of embedded mode: the same TransportProducer / TransportConsumer
 * contract as Kafka over a bounded in-memory queue. `send()` accepts all of a request's messages
 * or none: when they do not fit, it rejects with RetryableError('BACKPRESSURE') so the receiver
 * answers 503/429 with Retry-After. Nothing survives a restart: embedded mode trades durability
 * of not-yet-stored messages for having no broker; `stop()` drains the queue before returning.
 */
import { PermanentError, RetryableError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { Metrics } from '../../lib/metrics.js';
import { MemoryConsumer } from './memory-consumer.js';
import { MemoryQueue } from './memory-queue.js';
import type { TransportConsumer, TransportMessage, TransportProducer } from './transport.js';

export { MEMORY_TOPICS } from './memory-queue.js';
export { MemoryDeadLetterSink, type DeadLetterEntry, type MemoryDeadLetterOptions } from './memory-dead-letter.js';

export const DEFAULT_MEMORY_MAX_BATCH_MESSAGES = 5;
export const DEFAULT_MEMORY_MAX_IN_FLIGHT = 1024;
export const DEFAULT_MEMORY_RETRY_BACKOFF = { initialMs: 50, maxMs: 2_000 } as const;
export const DEFAULT_MEMORY_DRAIN_TIMEOUT_MS = 10_000;

const STAGE = 'memory-producer';
const SIGNALS = new Set(['traces', 'logs']);

export interface MemoryTransportOptions {
  /** Messages that may wait (queued or being handled) before `send()` answers BACKPRESSURE. */
  capacity: number;
  /** Messages per handler call. */
  maxBatchMessages?: number;
  /** Batches per topic still being stored while later ones are handled (handlers returning receipts). */
  maxInFlight?: number;
  /** Wait before a failed batch is delivered again, doubling per consecutive failure. */
  retryBackoff?: { initialMs: number; maxMs: number };
  /** How long `stop()` keeps delivering queued messages before giving up on them. */
  drainTimeoutMs?: number;
  logger: Logger;
  metrics: Metrics;
}

export interface MemoryTransport {
  producer: TransportProducer;
  consumer: TransportConsumer;
}

export function createMemoryTransport(options: MemoryTransportOptions): MemoryTransport {
  validate(options);
  const queue = new MemoryQueue(options.capacity);
  const consumer = new MemoryConsumer(queue, {
    maxBatchMessages: options.maxBatchMessages ?? DEFAULT_MEMORY_MAX_BATCH_MESSAGES,
    maxInFlight: options.maxInFlight ?? DEFAULT_MEMORY_MAX_IN_FLIGHT,
    retryBackoff: options.retryBackoff ?? DEFAULT_MEMORY_RETRY_BACKOFF,
    drainTimeoutMs: options.drainTimeoutMs ?? DEFAULT_MEMORY_DRAIN_TIMEOUT_MS,
    logger: options.logger,
    metrics: options.metrics,
  });
  return { producer: new MemoryProducer(queue, options.metrics), consumer };
}

class MemoryProducer implements TransportProducer {
  private closed = false;

  constructor(
    private readonly queue: MemoryQueue,
    private readonly metrics: Metrics,
  ) {}

  async send(messages: TransportMessage[]): Promise<void> {
    if (messages.length === 0) return;
    try {
      this.check(messages);
    } catch (err) {
      this.metrics.errors.inc({ stage: STAGE, code: (err as PermanentError).code });
      throw err;
    }
    this.queue.enqueue(messages);
    this.metrics.queueDepth.set(this.queue.pending);
    for (const m of messages) this.metrics.sent.inc({ stage: STAGE, signal: m.signal });
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private check(messages: TransportMessage[]): void {
    if (this.closed) throw new RetryableError('TRANSPORT_UNAVAILABLE', 'in-process transport is closed');
    for (const m of messages) {
      if (!SIGNALS.has(m.signal)) throw new PermanentError('INVALID_MESSAGE', `unknown signal ${JSON.stringify(m.signal)}`);
    }
    if (messages.length > this.queue.capacity) {
      throw new PermanentError('BATCH_TOO_LARGE', `${messages.length} messages exceed the queue capacity ${this.queue.capacity}`);
    }
    if (!this.queue.fits(messages.length)) {
      throw new RetryableError('BACKPRESSURE', 'in-process queue is full', {
        details: { pending: this.queue.pending, capacity: this.queue.capacity },
      });
    }
  }
}

function validate(o: MemoryTransportOptions): void {
  const problems: string[] = [];
  if (!(Number.isInteger(o.capacity) && o.capacity > 0)) problems.push('capacity must be an integer > 0');
  if (o.maxBatchMessages !== undefined && !(Number.isInteger(o.maxBatchMessages) && o.maxBatchMessages > 0)) {
    problems.push('maxBatchMessages must be an integer > 0');
  }
  if (o.maxInFlight !== undefined && !(Number.isInteger(o.maxInFlight) && o.maxInFlight > 0)) {
    problems.push('maxInFlight must be an integer > 0');
  }
  if (o.retryBackoff && !(o.retryBackoff.initialMs > 0 && o.retryBackoff.maxMs >= o.retryBackoff.initialMs)) {
    problems.push('retryBackoff needs 0 < initialMs <= maxMs');
  }
  if (o.drainTimeoutMs !== undefined && !(o.drainTimeoutMs >= 0)) problems.push('drainTimeoutMs must be >= 0');
  if (!o.logger) problems.push('logger is required');
  if (!o.metrics) problems.push('metrics is required');
  if (problems.length > 0) {
    throw new PermanentError('CONFIG_INVALID', `invalid memory transport options: ${problems.join('; ')}`, {
      details: { problems },
    });
  }
}

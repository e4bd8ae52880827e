/**
 * The in-process transport of embedded mode: the same TransportProducer / TransportConsumer
 * contract as Kafka over an in-memory queue bounded in messages and in bytes. `send()` accepts
 * all of a request's messages or none: when they do not fit, it rejects with
 * RetryableError('BACKPRESSURE') so the receiver answers 429 with Retry-After.
 *
 * With a write-ahead log (`wal`, on by default in embedded mode), `send()` resolves only once the
 * messages are durable in the log, and the log drops them when the consumer commits them
 * (stored in ClickHouse); at creation, what the log holds uncommitted from before a crash is put
 * back in the queue to be delivered first. Without it, nothing survives a crash. `stop()`
 * drains the queue before returning; `close()` closes the log.
 *
 * A send marked `atOnce` (a hook's receipt, which an agent waits on before it acts) goes to a log
 * of its own (`<dir>/at-once`), written on the caller's thread before `send` returns (see
 * wal/write-ahead-log.ts): it does not wait behind the telemetry's groups. Both logs are read
 * back at start, in offset order; the queue delivers each topic in offset order whichever log
 * made a message durable first.
 *
 * A message's value is the transport's from `send()` on: once the message is committed, a value
 * that is the whole of its buffer is released (detached, its memory given back at once; see
 * memory-queue.ts). A caller does not read or send again a value it has sent.
 */
import { PermanentError, RetryableError, errorCode } from '../../lib/errors.js';
import { SETTING_DEFAULTS } from '../../config/settings.js';
import type { Logger } from '../../lib/logger.js';
import type { Metrics } from '../../lib/metrics.js';
import { MemoryConsumer } from './memory-consumer.js';
import { MemoryQueue, messageBytes } from './memory-queue.js';
import path from 'node:path';
import type { SendOptions, TransportConsumer, TransportMessage, TransportProducer } from './transport.js';
import type { Offsets } from './wal/committed-offsets.js';
import { byTopicOffset, WAL_FSYNC_POLICIES, WriteAheadLog, type OpenedLog, type WalFsync } from './wal/write-ahead-log.js';

export { MEMORY_TOPICS } from './memory-queue.js';
export { MemoryDeadLetterSink, type DeadLetterEntry, type MemoryDeadLetterOptions } from './memory-dead-letter.js';

export const DEFAULT_MEMORY_MAX_BATCH_MESSAGES = 5;
export const DEFAULT_MEMORY_MAX_IN_FLIGHT = 1024;
export const DEFAULT_MEMORY_RETRY_BACKOFF = { initialMs: 50, maxMs: 2_000 } as const;
export const DEFAULT_MEMORY_DRAIN_TIMEOUT_MS = 10_000;
/** Bytes all waiting messages may hold together. */
export const DEFAULT_MEMORY_MAX_BYTES = SETTING_DEFAULTS.WARDEN_QUEUE_MAX_BYTES;

const STAGE = 'memory-producer';
const SIGNALS = new Set(['traces', 'logs']);

export interface MemoryTransportOptions {
  /** Messages that may wait (queued or being handled) before `send()` answers BACKPRESSURE. */
  capacity: number;
  /** Bytes (payloads, keys, headers) that may wait together before `send()` answers BACKPRESSURE. */
  maxBytes?: number;
  /** Write-ahead log: accepted messages survive a crash (see wal/write-ahead-log.ts). */
  wal?: { dir: string; fsync: WalFsync; segmentBytes?: number; idleRollMs?: number };
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
  /** The write-ahead log, when there is one. */
  wal?: WriteAheadLog;
  /** Beside it, the log of sends marked `atOnce`. */
  atOnceWal?: WriteAheadLog;
  /** Closes the write-ahead log (after the consumer stopped: its last commits are recorded). */
  close(): Promise<void>;
}

/** Opens the write-ahead log first, when there is one, and queues what it holds uncommitted. */
export function createMemoryTransport(options: MemoryTransportOptions): MemoryTransport {
  validate(options);
  const queue = new MemoryQueue(options.capacity, options.maxBytes ?? DEFAULT_MEMORY_MAX_BYTES);
  let wal: WriteAheadLog | undefined;
  let atOnceWal: WriteAheadLog | undefined;
  if (options.wal) {
    const grouped = WriteAheadLog.open({ ...options.wal, logger: options.logger, metrics: options.metrics });
    const atOnce = WriteAheadLog.open({ ...options.wal, dir: path.join(options.wal.dir, AT_ONCE_DIR), atOnce: true, logger: options.logger, metrics: options.metrics });
    wal = grouped.log;
    atOnceWal = atOnce.log;
    queue.restore([...grouped.replay, ...atOnce.replay].sort(byTopicOffset), latest(grouped, atOnce));
    queue.onCommit = (batch) => {
      grouped.log.commit(batch);
      atOnce.log.commit(batch);
    };
    options.metrics.queueDepth.set(queue.pending);
  }
  const consumer = new MemoryConsumer(queue, {
    maxBatchMessages: options.maxBatchMessages ?? DEFAULT_MEMORY_MAX_BATCH_MESSAGES,
    maxInFlight: options.maxInFlight ?? DEFAULT_MEMORY_MAX_IN_FLIGHT,
    retryBackoff: options.retryBackoff ?? DEFAULT_MEMORY_RETRY_BACKOFF,
    drainTimeoutMs: options.drainTimeoutMs ?? DEFAULT_MEMORY_DRAIN_TIMEOUT_MS,
    logger: options.logger,
    metrics: options.metrics,
  });
  const close = async (): Promise<void> => {
    await Promise.all([wal?.close(), atOnceWal?.close()]);
  };
  return { producer: new MemoryProducer(queue, options.metrics, wal, atOnceWal), consumer, ...(wal ? { wal } : {}), ...(atOnceWal ? { atOnceWal } : {}), close };
}

/** The subdirectory of the write-ahead log's directory that holds the `atOnce` sends' log. */
export const AT_ONCE_DIR = 'at-once';

/** Per topic, where the queue goes on: past the last offset either log holds. */
function latest(a: OpenedLog, b: OpenedLog): Offsets {
  return {
    traces: a.nextOffsets.traces > b.nextOffsets.traces ? a.nextOffsets.traces : b.nextOffsets.traces,
    logs: a.nextOffsets.logs > b.nextOffsets.logs ? a.nextOffsets.logs : b.nextOffsets.logs,
  };
}

class MemoryProducer implements TransportProducer {
  private closed = false;

  constructor(
    private readonly queue: MemoryQueue,
    private readonly metrics: Metrics,
    private readonly wal: WriteAheadLog | undefined,
    private readonly atOnceWal: WriteAheadLog | undefined,
  ) {}

  async send(messages: TransportMessage[], options?: SendOptions): Promise<void> {
    if (messages.length === 0) return;
    try {
      this.check(messages);
    } catch (err) {
      this.metrics.errors.inc({ stage: STAGE, code: (err as PermanentError).code });
      throw err;
    }
    // Counted (and given offsets) now, so requests waiting for the log's fsync hold their room.
    const reserved = this.queue.reserve(messages);
    this.metrics.queueDepth.set(this.queue.pending);
    const log = options?.atOnce ? this.atOnceWal : this.wal;
    if (log) {
      try {
        await log.append(reserved);
      } catch (err) {
        this.queue.cancel(reserved);
        this.metrics.queueDepth.set(this.queue.pending);
        this.metrics.errors.inc({ stage: STAGE, code: errorCode(err) });
        throw err;
      }
    }
    this.queue.publish(reserved);
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
    const bytes = messages.reduce((n, m) => n + messageBytes(m), 0);
    if (bytes > this.queue.maxBytes) {
      throw new PermanentError('BATCH_TOO_LARGE', `${bytes} bytes exceed the queue's byte bound ${this.queue.maxBytes}`);
    }
    if (!this.queue.fits(messages)) {
      throw new RetryableError('BACKPRESSURE', 'in-process queue is full', {
        details: { pending: this.queue.pending, capacity: this.queue.capacity, pendingBytes: this.queue.pendingBytes, maxBytes: this.queue.maxBytes },
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
  if (o.maxBytes !== undefined && !(Number.isInteger(o.maxBytes) && o.maxBytes > 0)) problems.push('maxBytes must be an integer > 0');
  if (o.wal && !WAL_FSYNC_POLICIES.includes(o.wal.fsync)) problems.push(`wal.fsync must be one of ${WAL_FSYNC_POLICIES.join(', ')}`);
  if (o.wal?.segmentBytes !== undefined && !(Number.isInteger(o.wal.segmentBytes) && o.wal.segmentBytes > 0)) problems.push('wal.segmentBytes must be an integer > 0');
  if (!o.logger) problems.push('logger is required');
  if (!o.metrics) problems.push('metrics is required');
  if (problems.length > 0) {
    throw new PermanentError('CONFIG_INVALID', `invalid memory transport options: ${problems.join('; ')}`, {
      details: { problems },
    });
  }
}

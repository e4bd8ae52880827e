/**
 * Decoding and normalization on a worker thread: the main thread hands over a batch's messages
 * and gets their outcomes back, in order, while it goes on with detection, inserts and the
 * transport. On two cores this is what lets ingest use both.
 *
 * If the worker dies (a crash, an out-of-memory), the batches it held fail with a retryable
 * NORMALIZE_WORKER_FAILED — the transport delivers them again — and the next batch starts a
 * new worker. Messages that cannot be decoded are not failures: they come back as outcomes, to
 * be dead-lettered by the caller.
 */
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { RetryableError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { Metrics } from '../../lib/metrics.js';
import type { MessageNormalizer, MessageOutcome } from '../message-normalizer.js';
import type { TransportMessage } from '../../receive/transport/transport.js';
import { applyDeltas } from './counter-deltas.js';
import type { NormalizeRequest, WorkerReply, WorkerSetup } from './protocol.js';

export const NORMALIZE_WORKER_FAILED = 'NORMALIZE_WORKER_FAILED';

export interface WorkerNormalizerOptions extends WorkerSetup {
  logger: Logger;
  metrics: Metrics;
  /** Memory limits of the worker (Node's defaults otherwise); past them it dies and is restarted. */
  resourceLimits?: ResourceLimits;
  /**
   * The worker's entry module (default: ./entry.mjs, normalization only). A later stage may give
   * its own entry that also prepares what it needs on the same thread (pipeline/worker/).
   */
  entry?: URL;
}

interface Pending {
  resolve: (outcomes: MessageOutcome[]) => void;
  reject: (err: Error) => void;
}

interface Running {
  worker: Worker;
  threadId?: number;
  ready: Promise<void>;
  pending: Map<number, Pending>;
}

const ENTRY = new URL('./entry.mjs', import.meta.url);

/** The messages' values copied into one buffer (to be transferred), with where each lies. */
function requestFor(id: number, messages: readonly TransportMessage[]): NormalizeRequest {
  let total = 0;
  for (const m of messages) total += m.value.byteLength;
  const payload = new ArrayBuffer(total);
  const bytes = new Uint8Array(payload);
  let at = 0;
  const described = messages.map((m) => {
    bytes.set(m.value, at);
    const start = at;
    at += m.value.byteLength;
    return { signal: m.signal, encoding: m.encoding, start, end: at, ...(m.headers ? { headers: m.headers } : {}) };
  });
  return { id, payload, messages: described };
}

export class WorkerNormalizer implements MessageNormalizer {
  private running: Running | undefined;
  private nextId = 1;
  private closed = false;
  readonly concurrent = true;
  private readonly logger: Logger;
  /** OS thread ids of the live worker (Linux): the thread priority module leaves them alone. */
  readonly threadIds = new Set<number>();

  constructor(private readonly options: WorkerNormalizerOptions) {
    this.logger = options.logger.child({ component: 'normalize-worker' });
  }

  /** Starts the worker now (else on the first batch) and waits until it can take work. */
  async start(): Promise<void> {
    await this.worker().ready;
  }

  async normalizeMessages(messages: readonly TransportMessage[]): Promise<MessageOutcome[]> {
    if (this.closed) throw new RetryableError(NORMALIZE_WORKER_FAILED, 'the normalize worker is closed');
    if (messages.length === 0) return [];
    const running = this.worker();
    const id = this.nextId++;
    const request = requestFor(id, messages);
    return new Promise<MessageOutcome[]>((resolve, reject) => {
      running.pending.set(id, { resolve, reject });
      running.worker.ref();
      running.worker.postMessage(request, [request.payload]);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const running = this.running;
    this.running = undefined;
    if (running) {
      this.fail(running, 'the normalize worker was closed');
      await running.worker.terminate();
    }
  }

  private worker(): Running {
    if (this.running) return this.running;
    const { logger: _logger, metrics, resourceLimits, entry, ...setup } = this.options;
    const worker = new Worker(entry ?? ENTRY, { workerData: setup, name: 'warden-normalize', ...(resourceLimits ? { resourceLimits } : {}) });
    let ready!: () => void;
    let failedToStart!: (err: Error) => void;
    const running: Running = {
      worker,
      pending: new Map(),
      ready: new Promise<void>((resolve, reject) => {
        ready = resolve;
        failedToStart = reject;
      }),
    };
    running.ready.catch(() => {}); // a start failure also fails the pending batches
    worker.on('message', (reply: WorkerReply) => {
      if (reply.type === 'ready') {
        if (reply.threadId !== undefined) {
          running.threadId = reply.threadId;
          this.threadIds.add(reply.threadId);
        }
        if (running.pending.size === 0) worker.unref();
        return ready();
      }
      const pending = running.pending.get(reply.id);
      if (!pending) return;
      running.pending.delete(reply.id);
      if (reply.type === 'failed') return pending.reject(new RetryableError(NORMALIZE_WORKER_FAILED, `normalize worker: ${reply.message}`));
      applyDeltas(metrics, reply.counts);
      if (running.pending.size === 0) worker.unref();
      pending.resolve(reply.outcomes);
    });
    const gone = (why: string): void => {
      if (this.running === running) this.running = undefined;
      if (running.threadId !== undefined) this.threadIds.delete(running.threadId);
      failedToStart(new RetryableError(NORMALIZE_WORKER_FAILED, why));
      if (running.pending.size > 0 || !this.closed) this.logger.error({ pending: running.pending.size }, `normalize worker stopped: ${why}`);
      metrics.errors.inc({ stage: 'normalize-worker', code: NORMALIZE_WORKER_FAILED });
      this.fail(running, why);
    };
    worker.on('error', (err) => gone(err.message));
    worker.on('exit', (code) => {
      if (!this.closed) gone(`exited with code ${code}`);
    });
    // Holds the process open only while it has work (starting, or batches out), like a socket.
    this.running = running;
    return running;
  }

  private fail(running: Running, why: string): void {
    for (const p of running.pending.values()) p.reject(new RetryableError(NORMALIZE_WORKER_FAILED, `normalize worker: ${why}`));
    running.pending.clear();
  }
}

/**
 * The ingest stage between a transport and storage. For each consumed batch (one partition's
 * messages, in order): decode every OTLP message, normalize its records into AuditEvents
 * (classified and redacted), hand them to the live observers (detectors, which must never wait
 * on ClickHouse), then store them in the background: the handler resolves with a receipt as
 * soon as the events are observed, so the next batch is detected without waiting for this one's
 * insert, and the receipt's `stored` resolves once ClickHouse has acknowledged the insert — the
 * transport commits offsets after that, never before. Inserts of one partition run in order.
 *
 * Bad input is permanent: the message goes to the dead-letter sink with its origin and reason,
 * is counted, and the rest of the batch carries on. Storage failures are retryable: the stage
 * keeps the batch, backs off and retries (heartbeating so the consumer keeps its partitions)
 * until storage is back or the consumer is stopping — nothing is dropped.
 *
 * After a failure or on the first batch from a partition, stored rows may already contain part
 * of the batch (a crash between insert and commit), so that insert first filters out event ids
 * ClickHouse already holds.
 */
import type { AuditEvent } from './audit-event.js';
import type { EventStage } from './pipeline.js';
import type { BatchContext, BatchHandler, BatchReceipt, ConsumedMessage, DeadLetterSink } from './transport/transport.js';
import type { AuditStore } from './clickhouse-sink/storage.js';
import type { Normalizer } from './normalize/index.js';
import type { Logger } from '../lib/logger.js';
import type { Metrics } from '../lib/metrics.js';
import { decodeMessage } from './decode-message.js';
import { errorCode, WardenError } from '../lib/errors.js';
import { retryWhileRetryable } from '../lib/retry.js';

export interface BatchProcessorDeps {
  normalizer: Normalizer;
  store: AuditStore;
  deadLetter: DeadLetterSink;
  /** Stages that see events as soon as they are normalized (detectors). */
  observers?: EventStage[];
  logger: Logger;
  metrics: Metrics;
  retry?: { initialMs: number; maxMs: number; sleep?: (ms: number) => Promise<void> };
  maxDecodedBytes?: number;
}

const DEFAULT_RETRY = { initialMs: 100, maxMs: 5_000 };

export function createBatchProcessor(deps: BatchProcessorDeps): BatchHandler {
  const { normalizer, store, deadLetter, logger, metrics } = deps;
  const observers = deps.observers ?? [];
  const retry = deps.retry ?? DEFAULT_RETRY;
  /** Partitions whose last insert in this process succeeded: no overlap with stored rows possible. */
  const clean = new Set<string>();
  /** The last insert of each partition: the next one starts after it settles. */
  const storeTails = new Map<string, Promise<void>>();

  async function toEvents(message: ConsumedMessage): Promise<AuditEvent[]> {
    metrics.received.inc({ stage: 'decode', signal: message.signal });
    try {
      const records = decodeMessage(message, deps.maxDecodedBytes);
      const events = normalizer.normalize(records, { tenant: message.headers?.['warden-tenant'] });
      metrics.sent.inc({ stage: 'normalize', signal: message.signal }, events.length);
      return events;
    } catch (err) {
      const code = errorCode(err);
      const text = err instanceof Error ? err.message : String(err);
      metrics.errors.inc({ stage: 'decode', code });
      await deadLetter.send(message, { code: err instanceof WardenError ? code : 'NORMALIZE_FAILED', message: text });
      return [];
    }
  }

  async function observe(events: AuditEvent[]): Promise<void> {
    for (const observer of observers) {
      try {
        await observer.consume(events);
      } catch (err) {
        metrics.errors.inc({ stage: 'observe', code: errorCode(err) });
        logger.error({ err }, 'observer failed on a batch');
      }
    }
  }

  async function storeBatch(events: AuditEvent[], partitionKey: string, ctx: BatchContext): Promise<void> {
    let checkExisting = !clean.has(partitionKey);
    let paused = false;
    try {
      await retryWhileRetryable(() => store.insertEvents(events, { checkExisting }), {
        ...retry,
        shouldContinue: () => !ctx.isStale(),
        onRetry: async (err, attempt, delayMs) => {
          checkExisting = true;
          clean.delete(partitionKey);
          if (!paused) metrics.storagePaused.set(1);
          paused = true;
          metrics.errors.inc({ stage: 'store', code: errorCode(err) });
          logger.warn({ code: errorCode(err), attempt, delayMs }, 'storage unavailable; holding the batch and retrying');
          await ctx.heartbeat();
        },
      });
    } finally {
      if (paused) metrics.storagePaused.set(0);
    }
    clean.add(partitionKey);
  }

  return async (batch, ctx): Promise<BatchReceipt | void> => {
    if (batch.length === 0) return;
    const events: AuditEvent[] = [];
    for (const message of batch) {
      for (const event of await toEvents(message)) events.push(event);
    }
    if (events.length === 0) return;
    await observe(events);
    const first = batch[0]!.origin;
    const key = `${first.topic}:${first.partition}`;
    const stored = (storeTails.get(key) ?? Promise.resolve()).catch(() => {}).then(() => storeBatch(events, key, ctx));
    storeTails.set(key, stored);
    void stored.then(
      () => storeTails.get(key) === stored && storeTails.delete(key),
      () => storeTails.get(key) === stored && storeTails.delete(key),
    );
    return { stored };
  };
}

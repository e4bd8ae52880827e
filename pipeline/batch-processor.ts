/**
 * The ingest stage between a transport and storage. For each consumed batch (one partition's
 * messages, in order): decode every OTLP message, normalize its records into AuditEvents
 * (classified and redacted), hand them to the live observers (detectors, which must never wait
 * on ClickHouse), then store them in the background: the handler resolves with a receipt as
 * soon as the events are observed, so the next batch is detected without waiting for this one's
 * insert, and the receipt's `stored` resolves once ClickHouse has acknowledged the insert — the
 * transport commits offsets after that, never before. Inserts of one partition run in order, and
 * gather the rows of consecutive batches (up to a size or a short delay), so small batches —
 * good for detection latency — still make large inserts. Events become rows (the store's insert
 * form) right after detection has seen them: what waits for the insert is bytes outside the heap,
 * not event objects. A large batch (a whole Kafka fetch) is decoded in slices (message-slices.ts)
 * so that, on the normalize worker, decoding the next slice overlaps detection of this one.
 *
 * Bad input is permanent: the message goes to the dead-letter sink with its origin and reason,
 * is counted, and the rest of the batch carries on. The same holds for one event or one row:
 * an event storage refuses to prepare is dead-lettered on its own (not its whole batch), and an
 * insert that ClickHouse refuses because of its rows (storage-errors.ts `isRowFault`) is
 * bisected until the bad rows are found — each is dead-lettered with ClickHouse's error as the
 * reason (its event id, tenant, session and row bytes, to find or replay it), counted and logged;
 * the rest is stored, and only then does the receipt resolve (and the transport commit).
 * Storage outages are retryable: the stage keeps the batch, backs off and retries (heartbeating
 * so the consumer keeps its partitions) until storage is back or the consumer is stopping —
 * nothing is dropped. Every failed or held insert, and every stored one, is reported to the
 * storage health (readiness), per partition.
 *
 * After a failure, on the first batch from a partition, or for messages marked `redelivered`
 * (replayed from the in-process queue's log after a crash, possibly across several inserts),
 * stored rows may already contain part of the batch (a crash between insert and commit), so
 * that insert first filters out event ids ClickHouse already holds.
 */
import type { AuditEvent } from '../model/audit-event.js';
import type { EventStage } from '../model/event-stage.js';
import type { BatchContext, BatchHandler, BatchReceipt, ConsumedMessage, DeadLetterSink, MessageOrigin } from '../receive/transport/transport.js';
import type { AuditStore } from '../store/storage.js';
import { appendRows, emptyRows, filterRows, preparedRowsFrom, releaseRows, type PreparedRows } from '../store/prepared-rows.js';
import { eventDeadLetter, reasonOf, rowDeadLetter } from '../store/dead-letter-rows.js';
import { isRowFault } from '../store/storage-errors.js';
import type { StorageHealth } from '../store/storage-health.js';
import type { Normalizer } from '../normalize/index.js';
import type { Logger } from '../lib/logger.js';
import type { Metrics } from '../lib/metrics.js';
import { inProcessNormalizer, type MessageNormalizer, type MessageOutcome } from '../normalize/message-normalizer.js';
import { sliceMessages, type SliceLimits } from '../decode/message-slices.js';
import { errorCode, isRetryable, WardenError } from '../lib/errors.js';
import { retryWhileRetryable } from '../lib/retry.js';
import { DetectionTurns } from './detection-turns.js';
import { SETTING_DEFAULTS } from '../config/settings.js';
import { setImmediate as nextTurn } from 'node:timers/promises';

export interface BatchProcessorDeps {
  normalizer: Normalizer;
  /**
   * Where messages are decoded and normalized (a worker thread, see normalize-worker/);
   * default: in this thread with `normalizer`.
   */
  messages?: MessageNormalizer;
  store: AuditStore;
  deadLetter: DeadLetterSink;
  /** Stages that see events as soon as they are normalized (detectors). */
  observers?: EventStage[];
  logger: Logger;
  metrics: Metrics;
  retry?: { initialMs: number; maxMs: number; sleep?: (ms: number) => Promise<void> };
  maxDecodedBytes?: number;
  /**
   * Inserts gather the rows of consecutive batches of a partition: an insert is made once
   * `maxEvents` wait, or when the oldest has waited `maxDelayMs`, or once `maxBatches` batches
   * wait — the transport's bound on a partition's batches in flight, past which it hands over
   * nothing more until one is stored (waiting out the delay then would cap a partition at that
   * many batches per delay). Small transport batches keep detection fast; gathered inserts keep
   * ClickHouse parts large.
   */
  insert?: { maxEvents: number; maxDelayMs: number; maxBatches?: number };
  /** How a consumed batch is cut for decoding (default: message-slices.ts). */
  slices?: SliceLimits;
  /** Told of every failed and every successful insert, per partition (readiness). */
  health?: StorageHealth;
}

/**
 * maxDelayMs: WARDEN_INSERT_DELAY_MS (an insert of 1,250 events costs the embedded engine ~1.5×
 * the CPU per event of one of 5,000); maxBatches: the Kafka consumer's batches in flight per
 * partition (receive/kafka DEFAULT_MAX_IN_FLIGHT; the assembly passes its transport's own).
 */
export const DEFAULT_INSERT_GATHERING = { maxEvents: SETTING_DEFAULTS.WARDEN_INSERT_MAX_EVENTS, maxDelayMs: SETTING_DEFAULTS.WARDEN_INSERT_DELAY_MS, maxBatches: 4 };

/** One message's events, with their rows when the worker prepared them. */
interface MessageEvents {
  message: ConsumedMessage;
  events: AuditEvent[];
  rows: PreparedRows | undefined;
}

interface GatheredInsert {
  rows: PreparedRows;
  /** The origin of each row's message (for a dead letter). */
  origins: MessageOrigin[];
  /** The context of the latest batch that joined (heartbeats and staleness of the live consumer). */
  ctx: BatchContext;
  /** Some of its messages were delivered before this process started (`redelivered`): check what is stored. */
  redelivered: boolean;
  stored: Promise<void>;
  resolve: () => void;
  reject: (err: unknown) => void;
  /** Transport batches whose rows joined. */
  batches: number;
  timer: NodeJS.Timeout;
}

const DEFAULT_RETRY = { initialMs: 100, maxMs: 5_000 };

/**
 * Slices of a batch handed to a concurrent normalizer beyond the one being detected: enough
 * that the worker never waits for the main thread, few enough that decoded slices do not pile
 * up (measured: 1, 2, 4 and all at once made no difference to throughput).
 */
const SLICES_AHEAD = 2;

/**
 * Events handed to the observers at once. Detection is synchronous: a slice of a Kafka fetch
 * (thousands of events) observed in one call held the event loop — and every gate call and
 * HTTP request behind it — for its whole length; between chunks the loop takes its turn. At
 * 20–60 µs per event on this machine, 64 events keep a gate call's wait behind detection to a
 * few milliseconds (200 held it up to ~12 ms); a turn between chunks costs next to nothing.
 */
export const OBSERVE_CHUNK = 64;

/** Batches handed to a concurrent normalizer ahead of the one being detected (detection-turns.ts). */
const BATCHES_AHEAD = 4;

export function createBatchProcessor(deps: BatchProcessorDeps): BatchHandler {
  const { normalizer, store, deadLetter, logger, metrics } = deps;
  const messages = deps.messages ?? inProcessNormalizer(normalizer, deps.maxDecodedBytes);
  const observers = deps.observers ?? [];
  const retry = deps.retry ?? DEFAULT_RETRY;
  /** Partitions whose last insert in this process succeeded: no overlap with stored rows possible. */
  const clean = new Set<string>();
  /** The last insert of each partition: the next one starts after it settles. */
  const storeTails = new Map<string, Promise<void>>();
  /** Rows of each partition waiting for their insert. */
  const gathering = new Map<string, GatheredInsert>();
  const insert = deps.insert ?? DEFAULT_INSERT_GATHERING;

  function flush(key: string): void {
    const gathered = gathering.get(key);
    if (!gathered) return;
    gathering.delete(key);
    clearTimeout(gathered.timer);
    const stored = (storeTails.get(key) ?? Promise.resolve())
      .catch(() => {})
      .then(() => storeBatch(gathered.rows, gathered.origins, key, gathered.ctx, gathered.redelivered))
      // Stored: nothing reads these rows again, and the bytes the worker handed over are given
      // back now rather than at a full collection (lib/release-buffer.ts). Not after a failure,
      // when an insert may still be reading them; the collector frees those.
      .then(() => releaseRows(gathered.rows));
    storeTails.set(key, stored);
    void stored.then(
      () => storeTails.get(key) === stored && storeTails.delete(key),
      () => storeTails.get(key) === stored && storeTails.delete(key),
    );
    stored.then(gathered.resolve, gathered.reject);
  }

  /** Adds rows to the partition's next insert; resolves when that insert is stored. */
  function storeLater(key: string, rows: PreparedRows, origins: MessageOrigin[], ctx: BatchContext, redelivered: boolean): Promise<void> {
    let gathered = gathering.get(key);
    if (!gathered) {
      let resolve!: () => void;
      let reject!: (err: unknown) => void;
      const stored = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      gathered = { rows: emptyRows(), origins: [], ctx, redelivered, stored, resolve, reject, batches: 0, timer: setTimeout(() => flush(key), insert.maxDelayMs) };
      gathering.set(key, gathered);
    }
    gathered.batches++;
    appendRows(gathered.rows, rows);
    for (const origin of origins) gathered.origins.push(origin);
    gathered.ctx = ctx;
    gathered.redelivered ||= redelivered;
    const stored = gathered.stored;
    if (gathered.rows.ids.length >= insert.maxEvents || gathered.batches >= (insert.maxBatches ?? Number.POSITIVE_INFINITY)) flush(key);
    return stored;
  }

  /** Starts decoding a slice; a failure is observed when the slice's turn comes (or never, if an earlier one failed). */
  function normalizeSlice(slice: ConsumedMessage[]): Promise<MessageOutcome[]> {
    for (const message of slice) metrics.received.inc({ stage: 'decode', signal: message.signal });
    const outcomes = messages.normalizeMessages(slice);
    outcomes.catch(() => {});
    return outcomes;
  }

  /**
   * The slice's events in message order, each with its message, and per message its events with
   * the rows the worker prepared for them (when it did); unreadable messages go to the
   * dead-letter sink.
   */
  async function toEvents(batch: ConsumedMessage[], outcomes: MessageOutcome[]): Promise<{ events: AuditEvent[]; from: ConsumedMessage[]; groups: MessageEvents[] }> {
    const events: AuditEvent[] = [];
    const from: ConsumedMessage[] = [];
    const groups: MessageEvents[] = [];
    for (let i = 0; i < batch.length; i++) {
      const message = batch[i]!;
      const outcome = outcomes[i]!;
      if ('events' in outcome) {
        // Records are counted by the normalizer (received, sent, refused); this stage counts messages.
        metrics.sent.inc({ stage: 'decode', signal: message.signal });
        for (const event of outcome.events) {
          events.push(event);
          from.push(message);
        }
        if (outcome.events.length > 0) groups.push({ message, events: outcome.events, rows: outcome.prepared === undefined ? undefined : preparedRowsFrom(outcome.prepared, outcome.events.length) });
        continue;
      }
      const { code, message: text, known } = outcome.error;
      metrics.errors.inc({ stage: 'decode', code });
      await deadLetter.send(message, { code: known ? code : 'NORMALIZE_FAILED', message: text });
    }
    return { events, from, groups };
  }

  /** The rows of a slice's messages: those the worker prepared as they are, the others prepared here. */
  async function rowsOf(groups: MessageEvents[], origins: MessageOrigin[]): Promise<PreparedRows> {
    const rows = emptyRows();
    for (const group of groups) {
      if (group.rows) {
        appendRows(rows, group.rows);
        for (let i = 0; i < group.events.length; i++) origins.push(group.message.origin);
      } else {
        appendRows(rows, await prepare(group.events, group.events.map(() => group.message), origins));
      }
    }
    return rows;
  }

  /**
   * The events' rows. When storage refuses to prepare the slice (a permanent error about one
   * event), each event is prepared on its own and the ones refused are dead-lettered — as the
   * event's JSON, under its message's origin — so their neighbours are stored. `origins` gets
   * the origin of each row kept.
   */
  async function prepare(events: AuditEvent[], from: ConsumedMessage[], origins: MessageOrigin[]): Promise<PreparedRows> {
    try {
      const rows = await store.prepareEvents(events);
      for (const message of from) origins.push(message.origin);
      return rows;
    } catch (err) {
      if (isRetryable(err)) throw err;
    }
    const rows = emptyRows();
    for (let i = 0; i < events.length; i++) {
      const event = events[i]!;
      try {
        appendRows(rows, await store.prepareEvents([event]));
        origins.push(from[i]!.origin);
      } catch (err) {
        if (isRetryable(err)) throw err;
        const code = errorCode(err);
        metrics.errors.inc({ stage: 'prepare', code });
        logger.warn({ code, event_id: event.event_id, tenant: event.tenant, session_id: event.session_id }, 'event refused by storage; dead-lettered');
        await deadLetter.send(eventDeadLetter(event, from[i]!.origin), { code, message: reasonOf(err) });
      }
    }
    return rows;
  }

  /**
   * The observers see the events in order, OBSERVE_CHUNK at a time, each chunk in a turn of the
   * event loop of its own — the first too: decoded slices and batches waiting their turn follow
   * one another in promise callbacks, which never let the loop take a turn. A hook's connection
   * waited behind a run of them (measured from its connection to its handler: max 20–45 ms).
   */
  async function observe(events: AuditEvent[]): Promise<void> {
    if (observers.length === 0) return;
    for (let start = 0; start < events.length; start += OBSERVE_CHUNK) {
      await nextTurn();
      const chunk = events.length <= OBSERVE_CHUNK ? events : events.slice(start, start + OBSERVE_CHUNK);
      for (const observer of observers) {
        try {
          await observer.consume(chunk);
        } catch (err) {
          metrics.errors.inc({ stage: 'observe', code: errorCode(err) });
          logger.error({ err }, 'observer failed on a batch');
        }
      }
    }
  }

  async function storeBatch(rows: PreparedRows, origins: MessageOrigin[], partitionKey: string, ctx: BatchContext, redelivered: boolean): Promise<void> {
    const attempt = { checkExisting: redelivered || !clean.has(partitionKey), paused: false };
    try {
      await storeIsolating(rows, origins, 0, rows.ids.length, partitionKey, ctx, attempt);
    } catch (err) {
      // Part of the batch may be stored: its redelivery checks which events already are.
      clean.delete(partitionKey);
      deps.health?.failing(partitionKey, errorCode(err));
      throw err;
    } finally {
      if (attempt.paused) metrics.storagePaused.set(0);
    }
    clean.add(partitionKey);
    deps.health?.stored(partitionKey);
  }

  /**
   * Stores rows [from, to): the whole range at once, retrying while storage is unavailable; if
   * ClickHouse refuses it because of its rows, each half on its own, down to single rows, which
   * are dead-lettered. A permanent error that is not the rows' fault (the statement, the schema)
   * fails the batch: every row would fail alike, so none is blamed.
   */
  async function storeIsolating(
    all: PreparedRows,
    origins: MessageOrigin[],
    from: number,
    to: number,
    partitionKey: string,
    ctx: BatchContext,
    attempt: { checkExisting: boolean; paused: boolean },
  ): Promise<void> {
    const rows = from === 0 && to === all.ids.length ? all : filterRows(all, (i) => i >= from && i < to);
    try {
      await retryWhileRetryable(() => store.insertRows(rows, { checkExisting: attempt.checkExisting }), {
        ...retry,
        shouldContinue: () => !ctx.isStale(),
        onRetry: async (err, n, delayMs) => {
          attempt.checkExisting = true;
          clean.delete(partitionKey);
          if (!attempt.paused) metrics.storagePaused.set(1);
          attempt.paused = true;
          metrics.errors.inc({ stage: 'store', code: errorCode(err) });
          deps.health?.failing(partitionKey, errorCode(err));
          logger.warn({ code: errorCode(err), attempt: n, delayMs }, 'storage unavailable; holding the batch and retrying');
          await ctx.heartbeat();
        },
      });
    } catch (err) {
      if (!isRowFault(err)) throw err;
      // Some of the range may be stored (inserts are cut by day): later attempts skip what is.
      attempt.checkExisting = true;
      if (to - from === 1) {
        await deadLetterRow(all, from, origins[from]!, err as WardenError);
        return;
      }
      const middle = from + Math.ceil((to - from) / 2);
      await storeIsolating(all, origins, from, middle, partitionKey, ctx, attempt);
      await storeIsolating(all, origins, middle, to, partitionKey, ctx, attempt);
    }
  }

  async function deadLetterRow(rows: PreparedRows, index: number, origin: MessageOrigin, err: WardenError): Promise<void> {
    const type = typeof err.details.clickhouse_type === 'string' ? err.details.clickhouse_type : err.code;
    const [eventId, tenant, sessionId] = [rows.ids[index]!, rows.tenants[index]!, rows.sessions[index]!];
    metrics.errors.inc({ stage: 'store', code: type });
    logger.warn({ code: err.code, clickhouse_type: type, event_id: eventId, tenant, session_id: sessionId, ...origin }, 'row refused by ClickHouse; dead-lettered');
    await deadLetter.send(rowDeadLetter(rows, index, origin), { code: err.code, message: reasonOf(err) });
  }

  /**
   * Decodes (slice by slice) and detects a batch, turning its events into rows. `handedOver`
   * may already hold the outcomes of its first slices (handed over when the batch arrived).
   */
  async function detectBatch(slices: ConsumedMessage[][], handedOver: Array<Promise<MessageOutcome[]>>): Promise<{ rows: PreparedRows; origins: MessageOrigin[] }> {
    const rows = emptyRows();
    const origins: MessageOrigin[] = [];
    // On a worker, slices are handed over SLICES_AHEAD in advance and decoded while earlier
    // ones are detected; in process, each is decoded when its turn comes.
    const ahead = messages.concurrent ? SLICES_AHEAD : 0;
    for (let i = 0; i < slices.length; i++) {
      while (handedOver.length < slices.length && handedOver.length <= i + ahead) handedOver.push(normalizeSlice(slices[handedOver.length]!));
      const outcomes = await handedOver[i]!;
      const { events, from, groups } = await toEvents(slices[i]!, outcomes);
      if (events.length === 0) continue;
      await observe(events);
      appendRows(rows, groups.some((g) => g.rows !== undefined) ? await rowsOf(groups, origins) : await prepare(events, from, origins));
    }
    return { rows, origins };
  }

  function storeDetected(batch: ConsumedMessage[], detected: { rows: PreparedRows; origins: MessageOrigin[] }, ctx: BatchContext): Promise<void> {
    if (detected.rows.ids.length === 0) return Promise.resolve();
    const first = batch[0]!.origin;
    const redelivered = batch.some((m) => m.redelivered === true);
    return storeLater(`${first.topic}:${first.partition}`, detected.rows, detected.origins, ctx, redelivered);
  }

  // With a worker, batches take turns at detection (detection-turns.ts): a call hands its first
  // slices to the worker and returns its receipt at once, so the worker decodes the next
  // batches while this thread detects this one. A batch whose decoding or detection fails
  // rejects its receipt's `stored` (the transport delivers it again), and so does every batch
  // handed over behind it.
  const turns = messages.concurrent ? new DetectionTurns(BATCHES_AHEAD) : undefined;

  return async (batch, ctx): Promise<BatchReceipt | void> => {
    if (batch.length === 0) return;
    // Slice by slice: the next slice is being decoded (on the worker) while this one is
    // detected and turned into rows. The batch goes to storage whole, once every slice is
    // through, so a failure part-way leaves nothing of it stored (it is delivered again, and
    // detectors skip the events they already saw).
    const slices = sliceMessages(batch, deps.slices);
    if (!turns) {
      const detected = await detectBatch(slices, []);
      return detected.rows.ids.length === 0 ? undefined : { stored: storeDetected(batch, detected, ctx) };
    }
    const turn = await turns.take();
    const handedOver: Array<Promise<MessageOutcome[]>> = [];
    for (let i = 0; i < Math.min(slices.length, SLICES_AHEAD + 1); i++) handedOver.push(normalizeSlice(slices[i]!));
    const detected = turn.run(() => detectBatch(slices, handedOver));
    return { stored: detected.then((d) => storeDetected(batch, d, ctx)) };
  };
}

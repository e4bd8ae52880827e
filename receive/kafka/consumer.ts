/**
 * TransportConsumer over Kafka: one consumer group subscribed to the traces and logs topics.
 *
 * Each fetched batch (one topic-partition, offset order) is handed to the handler as
 * ConsumedMessage[]. Offsets move only after the handler resolved: the last offset is resolved
 * and committed explicitly (autoCommit and eachBatchAutoResolve are off). When the handler
 * rejects, nothing is committed: the partition is paused for a backoff that doubles per
 * consecutive failure, the fetch position is sought back to the batch's first offset, and the
 * same messages are delivered again when the partition resumes. When `stop()` is called during a
 * handler call, the call is abandoned (ctx.isStale() turns true, its outcome is ignored) and its
 * batch stays uncommitted, so the next owner of the partition receives it again. At-least-once:
 * a batch can be delivered more than once, never skipped.
 *
 * A handler that returns a receipt (it stores the batch in the background) lets the partition
 * move on at once: the fetch position advances, and the batch's offsets are committed when its
 * receipt's `stored` resolves — in order per partition, with a bounded number in flight. If a
 * store fails, the partition is paused and sought back to that batch, and everything from there
 * is delivered again after the backoff. Until that redelivery begins, the partition neither
 * commits nor resolves anything: a batch fetched before the seek and handled after the failure
 * is dropped (it comes again after the failed one), so no commit or fetch position can pass the
 * failed batch and carry it, unstored, away.
 */
import type { Consumer, EachBatchPayload, PartitionAssigner } from 'kafkajs';
import { PermanentError, errorCode } from '../../lib/errors.js';
import { Latch } from '../../lib/latch.js';
import type { Logger } from '../../lib/logger.js';
import type { Metrics } from '../../lib/metrics.js';
import { CommitChain } from '../transport/commit-chain.js';
import { RestartAfterCrash } from './restart-after-crash.js';
import type {
  BatchContext,
  BatchHandler,
  BatchReceipt,
  ConsumedMessage,
  Signal,
  TransportConsumer,
} from '../transport/transport.js';
import { toConsumedMessages, type TopicBinding } from './consumed-batch.js';
import { toTransportError } from './errors.js';
import { createKafkaClient } from './kafkajs-client.js';
import {
  DEFAULT_ENCODINGS,
  DEFAULT_GROUP_ID,
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  DEFAULT_MAX_BYTES,
  DEFAULT_MAX_BYTES_PER_PARTITION,
  DEFAULT_MAX_WAIT_TIME_MS,
  DEFAULT_PARTITIONS_CONSUMED_CONCURRENTLY,
  DEFAULT_SESSION_TIMEOUT_MS,
  resolveTopics,
  validateConsumerOptions,
  type KafkaConsumerOptions,
} from './options.js';

/** How long a stop waits for commits of batches already stored before leaving the group. */
const STOP_COMMIT_GRACE_MS = 5_000;
/** Heartbeats while a batch waits for the membership's prepare (the session timeout is longer). */
const PREPARE_HEARTBEAT_MS = 1_000;
const STAGE = 'kafka-consumer';
const SIGNALS: readonly Signal[] = ['traces', 'logs'];
type Outcome = BatchReceipt | 'failed' | 'abandoned';
/** Group options beyond the connection: how partitions are assigned, who follows the group's events. */
export interface KafkaGroupOptions {
  /** Assigners in order of preference (default: kafkajs's round robin). */
  partitionAssigners?: PartitionAssigner[];
  /**
   * Follows the group's events (joins, rebalances) from the start; `prepared()` settles when
   * what must happen after a join before its batches are handled (state rebuilt) has.
   */
  membership?: { attach(consumer: Consumer): void; prepared?(): Promise<void> };
}

/** Batches per partition still being stored while later ones are handled. */
export const DEFAULT_MAX_IN_FLIGHT = 4;

export class KafkaTransportConsumer implements TransportConsumer {
  private readonly consumer: Consumer;
  private readonly bindings = new Map<string, TopicBinding>();
  private readonly fromBeginning: boolean;
  private readonly concurrency: number;
  private readonly backoff: { initialMs: number; maxMs: number };
  private readonly logger: Logger;
  private readonly metrics: Metrics;
  private readonly failures = new Map<string, number>();
  private readonly chains = new Map<string, CommitChain>();
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Handler calls and commits are raced against it (a latch: a Promise.race would keep each race until stop). */
  private readonly abandon = new Latch<'abandoned'>();
  private started = false;
  private handler: BatchHandler | undefined;
  private readonly restarts: RestartAfterCrash;
  private stopping: Promise<void> | undefined;
  /** Set once the consumer leaves the group: from then on no commit is attempted. */
  private leaving = false;
  /** Offset commits under way, which a stop lets finish (bounded) before leaving the group. */
  private readonly commits = new Set<Promise<void>>();
  /** Partitions sought back to a failed batch whose redelivery has not begun: offset sought to. */
  private readonly rewinding = new Map<string, string>();
  /** What follows the group's joins; its prepare holds a new assignment's batches. */
  private readonly membership: KafkaGroupOptions['membership'];

  constructor(options: KafkaConsumerOptions & KafkaGroupOptions) {
    const backoff = validateConsumerOptions(options);
    const session = options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS;

    const topics = resolveTopics(options.topics);
    const encodings = { ...DEFAULT_ENCODINGS, ...options.encodings };
    for (const signal of SIGNALS) {
      this.bindings.set(topics[signal], { signal, encoding: encodings[signal] });
    }
    this.fromBeginning = options.fromBeginning ?? true;
    this.concurrency = options.partitionsConsumedConcurrently ?? DEFAULT_PARTITIONS_CONSUMED_CONCURRENTLY;
    this.backoff = backoff;
    this.logger = options.logger.child({ component: STAGE });
    this.metrics = options.metrics;
    this.consumer = createKafkaClient(options).consumer({
      groupId: options.groupId ?? DEFAULT_GROUP_ID,
      maxBytesPerPartition: options.maxBytesPerPartition ?? DEFAULT_MAX_BYTES_PER_PARTITION,
      maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES,
      maxWaitTimeInMs: options.maxWaitTimeMs ?? DEFAULT_MAX_WAIT_TIME_MS,
      sessionTimeout: session,
      heartbeatInterval: options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS,
      allowAutoTopicCreation: false,
      ...(options.partitionAssigners ? { partitionAssigners: options.partitionAssigners } : {}),
    });
    this.membership = options.membership;
    options.membership?.attach(this.consumer);
    // A new assignment starts fresh chains: what was in flight before it is redelivered anyway.
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
      this.chains.clear();
      this.rewinding.clear();
      options.onAssignment?.(payload.memberAssignment);
    });
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      this.logger.error({ err: payload.error.message, restart: payload.restart }, 'Kafka consumer crashed');
    });
    this.restarts = new RestartAfterCrash({
      consumer: this.consumer,
      resume: async () => {
        await this.consumer.connect();
        await this.run();
      },
      stopped: () => this.stopping !== undefined,
      logger: this.logger,
      metrics: this.metrics,
      stage: STAGE,
      backoff: this.backoff,
    });
  }

  /** Joins the group and starts delivering batches; resolves once the group is joined. */
  async start(handler: BatchHandler): Promise<void> {
    if (this.started) throw new PermanentError('ALREADY_STARTED', 'Kafka consumer was already started');
    if (this.stopping) throw new PermanentError('STOPPED', 'Kafka consumer was stopped');
    this.started = true;
    try {
      await this.consumer.connect();
      await this.consumer.subscribe({ topics: [...this.bindings.keys()], fromBeginning: this.fromBeginning });
      this.handler = handler;
      await this.run();
    } catch (err) {
      await this.consumer.disconnect().catch(() => {});
      throw toTransportError(err, 'consumer start');
    }
  }

  private run(): Promise<void> {
    const handler = this.handler;
    if (!handler) throw new PermanentError('STOPPED', 'Kafka consumer has no handler');
    return this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.concurrency,
      eachBatch: (payload) => this.onBatch(handler, payload),
    });
  }

  /**
   * Abandons in-flight handler calls (their batches stay uncommitted) and leaves the group.
   * Batches already stored get their commits first (for at most STOP_COMMIT_GRACE_MS), so a
   * clean stop leaves nothing that was stored to be delivered again.
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.abandon.fire('abandoned');
      this.restarts.cancel();
      for (const timer of this.timers) clearTimeout(timer);
      this.timers.clear();
      // Commits of stored batches start within a turn; a partition's next commit starts when
      // its previous one is done (a few promise hops later), so after each wait let the turn end
      // before looking: only then is "no commit running" also "none about to start" (bounded).
      let graceOver = false;
      let grace: NodeJS.Timeout | undefined;
      const over = new Promise<void>((resolve) => {
        grace = setTimeout(() => {
          graceOver = true;
          resolve();
        }, STOP_COMMIT_GRACE_MS);
      });
      for (;;) {
        await new Promise((resolve) => setImmediate(resolve));
        if (this.commits.size === 0 || graceOver) break;
        await Promise.race([Promise.allSettled([...this.commits]), over]);
      }
      clearTimeout(grace);
      this.leaving = true;
      await this.consumer.disconnect();
    })();
    return this.stopping;
  }

  private async onBatch(handler: BatchHandler, payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const binding = this.bindings.get(batch.topic);
    if (batch.isEmpty() || this.stopping || !binding) return;
    const { topic, partition } = batch;
    const key = `${topic}:${partition}`;
    if (this.rewinding.has(key)) {
      // Fetched before the seek to the failed batch: it comes again after that one.
      if (payload.isStale()) return;
      // The seek is applied: this batch starts at the failed one; commits may flow again.
      this.rewinding.delete(key);
      this.chains.get(key)?.restart();
    }
    if (!(await this.afterPrepare(payload))) return;
    const messages = toConsumedMessages(batch, binding);
    this.metrics.received.inc({ stage: STAGE, signal: binding.signal }, messages.length);
    const ctx: BatchContext = {
      heartbeat: () => payload.heartbeat(),
      isStale: () => this.stopping !== undefined || !payload.isRunning() || payload.isStale(),
    };
    const outcome = await this.runHandler(handler, messages, ctx);
    if (outcome === 'abandoned') return;
    if (outcome === 'failed') {
      this.redeliverLater(payload);
      return;
    }
    const first = batch.firstOffset()!;
    const next = (BigInt(batch.lastOffset()) + 1n).toString();
    let chain = this.chains.get(key);
    if (!chain) {
      chain = new CommitChain(DEFAULT_MAX_IN_FLIGHT);
      this.chains.set(key, chain);
    }
    // An earlier batch of the partition failed while this one was handled: resolving this one
    // would move the fetch position past the failed batch (overriding the seek), committing it
    // would commit the failed batch's offsets. It is delivered again after the failed one.
    if (this.rewinding.has(key) || chain.isBroken) return;
    payload.resolveOffset(batch.lastOffset());
    await this.abandon.race(
      chain.add(outcome.stored, {
        commit: async () => {
          if (this.leaving) throw new PermanentError('STOPPED', 'consumer is stopping');
          const commit = this.consumer.commitOffsets([{ topic, partition, offset: next }]);
          this.commits.add(commit);
          try {
            await commit;
          } finally {
            this.commits.delete(commit);
          }
          this.failures.delete(key);
        },
        rewind: (err) => {
          if (this.stopping) return;
          this.metrics.errors.inc({ stage: STAGE, code: errorCode(err) });
          this.logger.warn({ topic, partition, offset: first, code: errorCode(err), err: String(err) }, 'batch store or commit failed; batch will be delivered again');
          this.rewindLater(topic, partition, first);
        },
      }),
    );
  }

  /**
   * Waits (heartbeating) until the membership's prepare after the latest join has settled;
   * false when the batch is no longer to be handled (stopping, stale, another rebalance): it is
   * fetched again.
   */
  private async afterPrepare(payload: EachBatchPayload): Promise<boolean> {
    const prepared = this.membership?.prepared?.();
    if (!prepared) return true;
    let settled = false;
    void prepared.then(() => (settled = true));
    await this.abandon.race(Promise.race([prepared, new Promise((resolve) => setImmediate(resolve))]));
    while (!settled && !this.stopping && payload.isRunning() && !payload.isStale()) {
      try {
        await payload.heartbeat();
      } catch {
        return false; // a rebalance began: the batch is fetched again after it
      }
      await this.abandon.race(Promise.race([prepared, new Promise((resolve) => setTimeout(resolve, PREPARE_HEARTBEAT_MS))]));
    }
    return settled && !this.stopping && payload.isRunning() && !payload.isStale();
  }

  private async runHandler(handler: BatchHandler, messages: ConsumedMessage[], ctx: BatchContext): Promise<Outcome> {
    const call = Promise.resolve()
      .then(() => handler(messages, ctx))
      .then(
        (receipt): Outcome => receipt ?? { stored: Promise.resolve() },
        (err: unknown): Outcome => {
          if (this.stopping) return 'abandoned';
          const { topic, partition, offset } = messages[0]!.origin;
          this.metrics.errors.inc({ stage: STAGE, code: errorCode(err) });
          this.logger.warn(
            { topic, partition, offset, messages: messages.length, code: errorCode(err), err: String(err) },
            'batch handler failed; batch will be delivered again',
          );
          return 'failed';
        },
      );
    return this.abandon.race(call);
  }

  /** Pause the partition, rewind to the batch's first offset, resume after the backoff. */
  private redeliverLater(payload: EachBatchPayload): void {
    const { topic, partition } = payload.batch;
    this.rewindLater(topic, partition, payload.batch.firstOffset()!);
  }

  private rewindLater(topic: string, partition: number, offset: string): void {
    const key = `${topic}:${partition}`;
    const attempt = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, attempt);
    const delay = Math.min(this.backoff.initialMs * 2 ** (attempt - 1), this.backoff.maxMs);
    try {
      this.consumer.pause([{ topic, partitions: [partition] }]);
      this.consumer.seek({ topic, partition, offset });
    } catch (err) {
      // The consumer is restarting (kafkajs's or ours): it fetches from the committed offsets
      // again when it rejoins, the failed batch included.
      this.logger.warn({ topic, partition, err: (err as Error).message }, 'rewind after a failed batch skipped: the consumer is restarting');
      return;
    }
    this.rewinding.set(key, offset);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.stopping) return;
      try {
        this.consumer.resume([{ topic, partitions: [partition] }]);
      } catch (err) {
        // kafkajs is restarting after a crash (no consumer group until it rejoins): it fetches
        // from the committed offsets again, the failed batch included. Thrown from a timer, this
        // would end the process.
        this.logger.warn({ topic, partition, err: (err as Error).message }, 'resume after a failed batch skipped: the consumer is restarting');
      }
    }, delay);
    this.timers.add(timer);
  }
}

/**
 * TransportProducer over Kafka. Each TransportMessage becomes one Kafka record on its signal's
 * topic (traces -> `otlp_spans`, logs -> `otlp_logs` by default), keyed by session id so a session
 * stays on one partition, with a `content-type` header naming the encoding, written with
 * `acks: -1` and (by default) idempotently, compressed with the configured codec (none, gzip,
 * snappy, lz4, or zstd where node:zlib has it; an unavailable one is refused at construction).
 *
 * Concurrent `send()` calls are queued and coalesced into one `sendBatch` at a time: fewer,
 * larger produce requests, and kafkajs's idempotent sequence numbers are only safe with one
 * request in flight per partition. Messages accepted but not yet acknowledged are bounded;
 * beyond the bound `send()` rejects with RetryableError('BACKPRESSURE') so the receiver can
 * answer 503 + Retry-After. A send resolves only when Kafka acknowledged all its messages.
 */
import { Partitioners, type Admin, type CompressionTypes, type Kafka, type Message, type Producer, type TopicMessages } from 'kafkajs';
import { PermanentError, RetryableError, type WardenError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { Metrics } from '../../lib/metrics.js';
import type { Signal, TransportMessage, TransportProducer } from '../transport/transport.js';
import { CONTENT_TYPE_HEADER, contentTypeOf } from './content-type.js';
import { toTransportError } from './errors.js';
import { COMPRESSIONS, compressionType, compressionUnavailable } from './codecs.js';
import { createKafkaClient } from './kafkajs-client.js';
import {
  DEFAULT_MAX_BATCH_MESSAGES,
  DEFAULT_MAX_PENDING_MESSAGES,
  DEFAULT_RETRIES,
  assertValid,
  positive,
  resolveTopics,
  validateConnection,
  validateTopics,
  type KafkaProducerOptions,
  type Problems,
} from './options.js';

const STAGE = 'kafka-producer';

interface PendingSend {
  messages: TransportMessage[];
  resolve: () => void;
  reject: (err: WardenError) => void;
}

export class KafkaTransportProducer implements TransportProducer {
  private readonly kafka: Kafka;
  private readonly producer: Producer;
  private admin: Admin | undefined;
  private readonly topics: Record<Signal, string>;
  private readonly compression: CompressionTypes;
  private readonly maxPending: number;
  private readonly maxBatch: number;
  private readonly logger: Logger;
  private readonly metrics: Metrics;
  private readonly queue: PendingSend[] = [];
  private pending = 0;
  private flushing: Promise<void> | undefined;
  private connecting: Promise<void> | undefined;
  private closing: Promise<void> | undefined;

  constructor(options: KafkaProducerOptions) {
    const problems: Problems = [];
    validateConnection(options, problems);
    validateTopics(options.topics, problems);
    positive(options.maxPendingMessages, 'maxPendingMessages', problems);
    positive(options.maxBatchMessages, 'maxBatchMessages', problems);
    if (options.idempotent !== false && options.retries === 0) problems.push('an idempotent producer needs retries >= 1');
    if (options.compression !== undefined) {
      if (!COMPRESSIONS.includes(options.compression)) problems.push(`compression must be one of ${COMPRESSIONS.join(', ')}`);
      else {
        const why = compressionUnavailable(options.compression);
        if (why) problems.push(`compression ${options.compression} is not available here: ${why}`);
      }
    }
    assertValid('Kafka producer', problems);

    this.topics = resolveTopics(options.topics);
    this.compression = compressionType(options.compression ?? 'none');
    this.maxPending = options.maxPendingMessages ?? DEFAULT_MAX_PENDING_MESSAGES;
    this.maxBatch = options.maxBatchMessages ?? DEFAULT_MAX_BATCH_MESSAGES;
    this.logger = options.logger.child({ component: STAGE });
    this.metrics = options.metrics;
    this.kafka = createKafkaClient(options);
    this.producer = this.kafka.producer({
      idempotent: options.idempotent ?? true,
      createPartitioner: Partitioners.DefaultPartitioner,
      // The idempotent default is unbounded retries; a down broker must surface as an error.
      retry: { retries: options.retries ?? DEFAULT_RETRIES, initialRetryTime: 100, maxRetryTime: 2_000 },
    });
  }

  /** Accepts all messages or none; resolves once Kafka acknowledged every one of them. */
  send(messages: TransportMessage[]): Promise<void> {
    if (messages.length === 0) return Promise.resolve();
    const refused = this.refusal(messages);
    if (refused) {
      this.metrics.errors.inc({ stage: STAGE, code: refused.code });
      return Promise.reject(refused);
    }
    this.pending += messages.length;
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ messages, resolve, reject });
      this.kick();
    });
  }

  /** Readiness: resolves when the brokers answer and both topics exist, else TRANSPORT_UNAVAILABLE. */
  async ping(): Promise<void> {
    try {
      this.admin ??= this.kafka.admin();
      await this.admin.connect();
      await this.admin.fetchTopicMetadata({ topics: [this.topics.traces, this.topics.logs] });
    } catch (err) {
      throw toTransportError(err, 'ping');
    }
  }

  /** Waits for queued sends, then disconnects. Later sends reject with TRANSPORT_UNAVAILABLE. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      while (this.flushing) await this.flushing;
      await Promise.all([this.producer.disconnect(), this.admin?.disconnect()]);
    })();
    return this.closing;
  }

  private refusal(messages: TransportMessage[]): WardenError | undefined {
    if (this.closing) return new RetryableError('TRANSPORT_UNAVAILABLE', 'Kafka producer is closed');
    for (const m of messages) {
      if (this.topics[m.signal] === undefined) {
        return new PermanentError('INVALID_MESSAGE', `unknown signal ${JSON.stringify(m.signal)}`);
      }
    }
    if (messages.length > this.maxPending) {
      return new PermanentError('BATCH_TOO_LARGE', `${messages.length} messages exceed ${this.maxPending}`);
    }
    if (this.pending + messages.length > this.maxPending) {
      return new RetryableError('BACKPRESSURE', 'Kafka producer has too many unacknowledged messages', {
        details: { pending: this.pending, limit: this.maxPending },
      });
    }
    return undefined;
  }

  /** Starts the flush loop unless it runs; a send queued while it was ending starts a new one. */
  private kick(): void {
    if (this.flushing) return;
    this.flushing = this.flush().finally(() => {
      this.flushing = undefined;
      if (this.queue.length > 0) this.kick();
    });
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const group = this.takeGroup();
      const count = group.reduce((n, s) => n + s.messages.length, 0);
      try {
        await this.connect();
        await this.producer.sendBatch({ acks: -1, compression: this.compression, topicMessages: this.toTopicMessages(group) });
        for (const s of group) for (const m of s.messages) this.metrics.sent.inc({ stage: STAGE, signal: m.signal });
        for (const s of group) s.resolve();
      } catch (err) {
        const error = toTransportError(err, 'produce');
        this.metrics.errors.inc({ stage: STAGE, code: error.code }, group.length);
        this.logger.warn({ code: error.code, messages: count, err: error.message }, 'Kafka produce failed');
        for (const s of group) s.reject(error);
      } finally {
        this.pending -= count;
      }
    }
  }

  /** Queued sends up to maxBatch messages (always at least one send, never split). */
  private takeGroup(): PendingSend[] {
    const group: PendingSend[] = [this.queue.shift()!];
    let count = group[0]!.messages.length;
    while (this.queue.length > 0 && count + this.queue[0]!.messages.length <= this.maxBatch) {
      const next = this.queue.shift()!;
      count += next.messages.length;
      group.push(next);
    }
    return group;
  }

  private toTopicMessages(group: PendingSend[]): TopicMessages[] {
    const byTopic = new Map<string, Message[]>();
    for (const { messages } of group) {
      for (const m of messages) {
        const topic = this.topics[m.signal];
        let list = byTopic.get(topic);
        if (!list) byTopic.set(topic, (list = []));
        list.push({
          key: m.key,
          value: m.value,
          headers: { ...m.headers, [CONTENT_TYPE_HEADER]: contentTypeOf(m.encoding) },
        });
      }
    }
    return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
  }

  private connect(): Promise<void> {
    this.connecting ??= this.producer.connect().catch((err: unknown) => {
      this.connecting = undefined;
      throw err;
    });
    return this.connecting;
  }
}

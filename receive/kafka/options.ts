/**
 * Configuration of the Kafka transport: typed options with a doc comment per field, defaults as
 * named constants, and validation that reports every problem at once (fail fast at startup).
 * Producer, consumer and dead-letter sink share the connection part.
 */
import type { SASLOptions } from 'kafkajs';
import { PermanentError } from '../../lib/errors.js';
import { SETTING_DEFAULTS } from '../../config/settings.js';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';
import type { Metrics } from '../../lib/metrics.js';
import type { Encoding, Signal } from '../transport/transport.js';
import type { Compression } from './codecs.js';

export const DEFAULT_CLIENT_ID = SETTING_DEFAULTS.KAFKA_CLIENT_ID;
export const DEFAULT_GROUP_ID = SETTING_DEFAULTS.KAFKA_GROUP_ID;
/** The OTel Collector Kafka exporter's default topic names. */
export const DEFAULT_TOPICS: Readonly<Record<Signal, string>> = { traces: SETTING_DEFAULTS.KAFKA_TOPIC_SPANS, logs: SETTING_DEFAULTS.KAFKA_TOPIC_LOGS };
/** The Collector's default encoding, used when a message has no content-type header. */
export const DEFAULT_ENCODINGS: Readonly<Record<Signal, Encoding>> = { traces: 'otlp_proto', logs: 'otlp_proto' };
export const DEFAULT_DEAD_LETTER_TOPIC = SETTING_DEFAULTS.KAFKA_TOPIC_DEAD_LETTER;
export const DEFAULT_CONNECTION_TIMEOUT_MS = 3_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
export const DEFAULT_RETRIES = 5;
/** Messages accepted but not yet acknowledged; beyond this `send()` answers BACKPRESSURE. */
export const DEFAULT_MAX_PENDING_MESSAGES = 50_000;
/** Messages per produce request; queued sends are coalesced up to this many. */
export const DEFAULT_MAX_BATCH_MESSAGES = 1_000;
/** Bytes per partition per fetch: smaller batches let decoding, detection and inserts overlap (measured best at 1 MiB). */
export const DEFAULT_MAX_BYTES_PER_PARTITION = 1024 * 1024;
export const DEFAULT_MAX_BYTES = 32 * 1024 * 1024;
export const DEFAULT_MAX_WAIT_TIME_MS = 500;
export const DEFAULT_SESSION_TIMEOUT_MS = 30_000;
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 3_000;
export const DEFAULT_PARTITIONS_CONSUMED_CONCURRENTLY = 2;
export const DEFAULT_RETRY_BACKOFF = { initialMs: 200, maxMs: 5_000 } as const;

/** Codec of the batches Warden's producers write (codecs.ts; zstd only where node:zlib has it). */
export type { Compression };

export interface KafkaConnectionOptions {
  /** Bootstrap brokers, `host:port` each. Required, non-empty. */
  brokers: string[];
  /** Client id reported to the brokers. */
  clientId?: string;
  /** TLS to the brokers. */
  ssl?: boolean;
  /** SASL authentication, passed to kafkajs as is. */
  sasl?: SASLOptions;
  /** Time to establish a connection. */
  connectionTimeoutMs?: number;
  /** Time to wait for a broker's answer. */
  requestTimeoutMs?: number;
  /** Retries of a failed request before the operation fails. */
  retries?: number;
  logger: Logger;
  metrics: Metrics;
}

export interface KafkaProducerOptions extends KafkaConnectionOptions {
  /** Topic per signal. */
  topics?: Partial<Record<Signal, string>>;
  /**
   * Idempotent produce: no duplicates from the client's own retries (default true). kafkajs asks
   * the controller broker for a producer id; librdkafka's mock cluster names no valid controller,
   * so tests on the mock turn it off.
   */
  idempotent?: boolean;
  compression?: Compression;
  maxPendingMessages?: number;
  maxBatchMessages?: number;
}

export interface KafkaConsumerOptions extends KafkaConnectionOptions {
  groupId?: string;
  /** Topic per signal; both are subscribed. */
  topics?: Partial<Record<Signal, string>>;
  /** Encoding per signal for messages without a content-type header. */
  encodings?: Partial<Record<Signal, Encoding>>;
  /** Where a group without committed offsets starts: the earliest message (default) or new ones. */
  fromBeginning?: boolean;
  maxBytesPerPartition?: number;
  maxBytes?: number;
  maxWaitTimeMs?: number;
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /** Partitions whose batches may be handled at the same time. */
  partitionsConsumedConcurrently?: number;
  /** Pause of a partition after its handler rejected, doubling per consecutive failure. */
  retryBackoff?: { initialMs: number; maxMs: number };
  /**
   * Told of every group join with this member's partitions (topic → partitions): the first
   * assignment and each one after a rebalance. Detection uses it to rebuild the state of
   * sessions other members were handling. Must not throw; not awaited.
   */
  onAssignment?: (assignment: Record<string, number[]>) => void;
}

export interface KafkaDeadLetterOptions extends KafkaConnectionOptions {
  topic?: string;
  /** Idempotent produce (default true; librdkafka's mock cluster cannot serve it to kafkajs). */
  idempotent?: boolean;
  /** Clock for the dead-letter time header (default: system clock). */
  clock?: Clock;
}

export type Problems = string[];

export function validateConnection(o: KafkaConnectionOptions, problems: Problems): void {
  if (!Array.isArray(o.brokers) || o.brokers.length === 0) problems.push('brokers must be a non-empty list');
  else if (o.brokers.some((b) => typeof b !== 'string' || !/^[^\s:]+:\d+$/.test(b))) {
    problems.push('every broker must be host:port');
  }
  if (o.clientId !== undefined && o.clientId.trim() === '') problems.push('clientId must not be empty');
  positive(o.connectionTimeoutMs, 'connectionTimeoutMs', problems);
  positive(o.requestTimeoutMs, 'requestTimeoutMs', problems);
  if (o.retries !== undefined && !(Number.isInteger(o.retries) && o.retries >= 0)) {
    problems.push('retries must be an integer >= 0');
  }
  if (!o.logger) problems.push('logger is required');
  if (!o.metrics) problems.push('metrics is required');
}

export function validateTopics(topics: Partial<Record<Signal, string>> | undefined, problems: Problems): void {
  const t = resolveTopics(topics);
  for (const [signal, name] of Object.entries(t)) topicName(name, `topics.${signal}`, problems);
  if (t.traces === t.logs) problems.push('topics.traces and topics.logs must differ');
}

export function topicName(name: unknown, field: string, problems: Problems): void {
  if (typeof name !== 'string' || !/^[A-Za-z0-9._-]{1,249}$/.test(name)) {
    problems.push(`${field} must be a valid topic name`);
  }
}

export function positive(value: number | undefined, field: string, problems: Problems): void {
  if (value !== undefined && !(Number.isFinite(value) && value > 0)) problems.push(`${field} must be > 0`);
}

/** The topic per signal; other keys (a config may carry `deadLetter` too) are ignored. */
export function resolveTopics(topics: Partial<Record<Signal, string>> | undefined): Record<Signal, string> {
  return { traces: topics?.traces ?? DEFAULT_TOPICS.traces, logs: topics?.logs ?? DEFAULT_TOPICS.logs };
}

/** Throws one PermanentError('CONFIG_INVALID') listing every problem found. */
export function assertValid(component: string, problems: Problems): void {
  if (problems.length === 0) return;
  throw new PermanentError('CONFIG_INVALID', `invalid ${component} options: ${problems.join('; ')}`, {
    details: { problems },
  });
}

/** Checks a consumer's options (every problem at once); returns its retry backoff. */
export function validateConsumerOptions(options: KafkaConsumerOptions): { initialMs: number; maxMs: number } {
  const problems: Problems = [];
  validateConnection(options, problems);
  validateTopics(options.topics, problems);
  for (const [signal, enc] of Object.entries(options.encodings ?? {})) {
    if (enc !== 'otlp_proto' && enc !== 'otlp_json') problems.push(`encodings.${signal} must be otlp_proto or otlp_json`);
  }
  if (options.groupId !== undefined && options.groupId.trim() === '') problems.push('groupId must not be empty');
  for (const field of ['maxBytesPerPartition', 'maxBytes', 'maxWaitTimeMs', 'sessionTimeoutMs', 'heartbeatIntervalMs', 'partitionsConsumedConcurrently'] as const) {
    positive(options[field], field, problems);
  }
  const backoff = options.retryBackoff ?? DEFAULT_RETRY_BACKOFF;
  if (!(backoff.initialMs > 0 && backoff.maxMs >= backoff.initialMs)) {
    problems.push('retryBackoff needs 0 < initialMs <= maxMs');
  }
  const session = options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS;
  if ((options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS) >= session) {
    problems.push('heartbeatIntervalMs must be below sessionTimeoutMs');
  }
  assertValid('Kafka consumer', problems);
  return backoff;
}

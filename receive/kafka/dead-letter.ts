/**
 * DeadLetterSink over Kafka: a message Warden could not decode or normalize is written, byte for
 * byte, to the dead-letter topic (default `warden_dead_letter`) under its original key and
 * headers, plus headers saying where it came from and why it was set aside:
 * `warden.origin.topic|partition|offset`, `warden.error.code|message`, `warden.signal`,
 * `warden.encoding`, `warden.dead_lettered_at` (ISO 8601) and `content-type`. Replaying a
 * dead letter is producing its value back to `warden.origin.topic` — except what storage refused
 * (a `warden.row.format` header, see clickhouse-sink/dead-letter-rows.ts): its value is a row of
 * `audit_events` or an AuditEvent, not an OTLP message; replay it into ClickHouse once the
 * cause is fixed. `warden.origin.*` still names the message it came from.
 */
import { Partitioners, type IHeaders, type Producer } from 'kafkajs';
import { systemClock, type Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';
import type { Metrics } from '../../lib/metrics.js';
import type { ConsumedMessage, DeadLetterSink } from '../transport/transport.js';
import { CONTENT_TYPE_HEADER, contentTypeOf } from './content-type.js';
import { toTransportError } from './errors.js';
import { createKafkaClient } from './kafkajs-client.js';
import {
  DEFAULT_DEAD_LETTER_TOPIC,
  DEFAULT_RETRIES,
  assertValid,
  topicName,
  validateConnection,
  type KafkaDeadLetterOptions,
  type Problems,
} from './options.js';

const STAGE = 'kafka-dead-letter';
/** Error messages are cut to this many characters in the header. */
export const MAX_ERROR_MESSAGE_CHARS = 1_024;

export const DEAD_LETTER_HEADERS = {
  originTopic: 'warden.origin.topic',
  originPartition: 'warden.origin.partition',
  originOffset: 'warden.origin.offset',
  errorCode: 'warden.error.code',
  errorMessage: 'warden.error.message',
  signal: 'warden.signal',
  encoding: 'warden.encoding',
  time: 'warden.dead_lettered_at',
} as const;

export class KafkaDeadLetterSink implements DeadLetterSink {
  readonly topic: string;
  private readonly producer: Producer;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly metrics: Metrics;
  private connecting: Promise<void> | undefined;

  constructor(options: KafkaDeadLetterOptions) {
    const problems: Problems = [];
    validateConnection(options, problems);
    if (options.topic !== undefined) topicName(options.topic, 'topic', problems);
    if (options.idempotent !== false && options.retries === 0) problems.push('an idempotent producer needs retries >= 1');
    assertValid('Kafka dead-letter', problems);
    this.topic = options.topic ?? DEFAULT_DEAD_LETTER_TOPIC;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger.child({ component: STAGE });
    this.metrics = options.metrics;
    this.producer = createKafkaClient(options).producer({
      idempotent: options.idempotent ?? true,
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: { retries: options.retries ?? DEFAULT_RETRIES, initialRetryTime: 100, maxRetryTime: 2_000 },
    });
  }

  /** Resolves once the dead letter is acknowledged; TRANSPORT_UNAVAILABLE otherwise (retry). */
  async send(message: ConsumedMessage, reason: { code: string; message: string }): Promise<void> {
    try {
      await this.connect();
      await this.producer.send({
        topic: this.topic,
        acks: -1,
        messages: [{ key: message.key, value: message.value, headers: this.headers(message, reason) }],
      });
    } catch (err) {
      const error = toTransportError(err, 'dead-letter produce');
      this.metrics.errors.inc({ stage: STAGE, code: error.code });
      throw error;
    }
    this.metrics.deadLettered.inc({ code: reason.code });
    const { topic, partition, offset } = message.origin;
    this.logger.warn({ topic, partition, offset, code: reason.code }, 'message dead-lettered');
  }

  async close(): Promise<void> {
    await this.producer.disconnect();
  }

  private headers(m: ConsumedMessage, reason: { code: string; message: string }): IHeaders {
    const h = DEAD_LETTER_HEADERS;
    return {
      ...m.headers,
      [CONTENT_TYPE_HEADER]: contentTypeOf(m.encoding),
      [h.originTopic]: m.origin.topic,
      [h.originPartition]: String(m.origin.partition),
      [h.originOffset]: m.origin.offset,
      [h.errorCode]: reason.code,
      [h.errorMessage]: reason.message.slice(0, MAX_ERROR_MESSAGE_CHARS),
      [h.signal]: m.signal,
      [h.encoding]: m.encoding,
      [h.time]: new Date(this.clock.now()).toISOString(),
    };
  }

  private connect(): Promise<void> {
    this.connecting ??= this.producer.connect().catch((err: unknown) => {
      this.connecting = undefined;
      throw err;
    });
    return this.connecting;
  }
}

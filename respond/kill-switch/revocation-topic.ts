/**
 * The revocation topic (distributed mode). Every instance publishes its revocation records to
 * `warden_revocations` (key `tenant/session_id`, so one session's records stay in order on one
 * partition; header `warden-instance`) and consumes the topic to apply the other instances'
 * records to its own verdict map. Each start joins a fresh consumer group and reads from the
 * beginning, so a restarted instance relearns every revocation the others hold (configure the
 * topic with `cleanup.policy=compact` so it keeps the last record per session). Records the
 * instance published itself are skipped: its own log is authoritative for them.
 */
import { randomBytes } from 'node:crypto';
import type { CompressionTypes, Consumer, Producer } from 'kafkajs';
import { SETTING_DEFAULTS } from '../../config/settings.js';
import { createKafkaClient } from '../../receive/kafka/kafkajs-client.js';
import { toTransportError } from '../../receive/kafka/errors.js';
import type { KafkaConnectionOptions } from '../../receive/kafka/options.js';
import { compressionType, compressionUnavailable, type Compression } from '../../receive/kafka/codecs.js';
import { PermanentError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { RevocationRecord } from './contracts.js';
import { parseRecord } from './record-chain.js';
import type { RevocationPublisher } from './revocation-service.js';

export const DEFAULT_REVOCATION_TOPIC = SETTING_DEFAULTS.KAFKA_TOPIC_REVOCATIONS;
export const INSTANCE_HEADER = 'warden-instance';
const STAGE = 'revocation_topic';

export interface RevocationTopicOptions {
  connection: KafkaConnectionOptions;
  /** Stable across restarts (e.g. WARDEN_INSTANCE_ID or the host name). */
  instanceId: string;
  topic?: string;
}

export interface KafkaRevocationPublisherOptions extends RevocationTopicOptions {
  /** Idempotent produce (default true); librdkafka's mock cluster needs false. */
  idempotent?: boolean;
  /** Codec of the records published (default none); one the producer cannot write is refused here. */
  compression?: Compression;
}

export class KafkaRevocationPublisher implements RevocationPublisher {
  private readonly producer: Producer;
  private connected: Promise<void> | undefined;
  private readonly topic: string;
  private readonly compression: CompressionTypes;

  constructor(private readonly options: KafkaRevocationPublisherOptions) {
    this.topic = options.topic ?? DEFAULT_REVOCATION_TOPIC;
    const why = options.compression && compressionUnavailable(options.compression);
    if (why) throw new PermanentError('CONFIG_INVALID', `invalid revocation publisher options: compression ${options.compression} is not available here: ${why}`);
    this.compression = compressionType(options.compression ?? 'none');
    this.producer = createKafkaClient(options.connection).producer({ idempotent: options.idempotent ?? true, allowAutoTopicCreation: false });
  }

  async publish(record: RevocationRecord): Promise<void> {
    try {
      this.connected ??= this.producer.connect().catch((err: unknown) => {
        this.connected = undefined;
        throw err;
      });
      await this.connected;
      await this.producer.send({
        topic: this.topic,
        acks: -1,
        compression: this.compression,
        messages: [{ key: `${record.tenant}/${record.session_id}`, value: JSON.stringify(record), headers: { [INSTANCE_HEADER]: this.options.instanceId } }],
      });
      this.options.connection.metrics.sent.inc({ stage: STAGE, signal: 'revocations' });
    } catch (err) {
      const mapped = toTransportError(err, 'revocation publish');
      this.options.connection.metrics.errors.inc({ stage: STAGE, code: mapped.code });
      throw mapped;
    }
  }

  async close(): Promise<void> {
    if (this.connected) await this.producer.disconnect();
  }
}

export interface KafkaRevocationSubscriberOptions extends RevocationTopicOptions {
  /** Applies another instance's record (RevocationService.applyRemote). */
  apply: (record: RevocationRecord) => boolean;
}

export class KafkaRevocationSubscriber {
  private readonly consumer: Consumer;
  private readonly topic: string;
  private readonly logger: Logger;

  constructor(private readonly options: KafkaRevocationSubscriberOptions) {
    this.topic = options.topic ?? DEFAULT_REVOCATION_TOPIC;
    this.logger = options.connection.logger.child({ component: 'revocation-subscriber' });
    const groupId = `warden-revocations-${options.instanceId}-${randomBytes(4).toString('hex')}`;
    this.consumer = createKafkaClient(options.connection).consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 100 });
  }

  /** Joins a fresh group and applies records from the beginning of the topic. */
  async start(): Promise<void> {
    try {
      await this.consumer.connect();
      await this.consumer.subscribe({ topics: [this.topic], fromBeginning: true });
      await this.consumer.run({ autoCommit: false, eachMessage: async ({ message }) => this.onMessage(message.value, message.headers?.[INSTANCE_HEADER]) });
    } catch (err) {
      await this.consumer.disconnect().catch(() => undefined);
      throw toTransportError(err, 'revocation subscribe');
    }
  }

  stop(): Promise<void> {
    return this.consumer.disconnect();
  }

  private onMessage(value: Buffer | null, instance: Buffer | string | (Buffer | string)[] | undefined): void {
    const metrics = this.options.connection.metrics;
    if (instance !== undefined && String(instance) === this.options.instanceId) return;
    metrics.received.inc({ stage: STAGE, signal: 'revocations' });
    let record: RevocationRecord | string;
    try {
      record = parseRecord(JSON.parse(value?.toString('utf8') ?? 'null'));
    } catch {
      record = 'not valid JSON';
    }
    if (typeof record === 'string') {
      metrics.errors.inc({ stage: STAGE, code: 'INVALID_RECORD' });
      this.logger.warn({ problem: record }, 'ignoring a message on the revocation topic that is not a revocation record');
      return;
    }
    if (this.options.apply(record)) this.logger.info({ tenant: record.tenant, session_id: record.session_id, action: record.action, from: String(instance) }, 'applied a revocation from another instance');
  }
}

/**
 * Pipelined batches over Kafka (librdkafka's mock cluster): a handler that returns receipts lets
 * the partition move on while earlier batches are stored; offsets are committed only after the
 * stores, in order; a failed store rewinds the partition to that batch and nothing is lost.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { RetryableError } from '../../lib/errors.js';
import { silentLogger } from '../../lib/logger.js';
import { Metrics } from '../../lib/metrics.js';
import { kafkaMockAvailable, startKafkaMock, type RunningKafka } from '../../test/infra/kafka-mock.js';
import { waitFor } from '../../test/helpers/wait-for.js';
import { KafkaTransportConsumer } from './consumer.js';
import { KafkaTransportProducer } from './producer.js';

const mock = kafkaMockAvailable();
let kafka: RunningKafka;
before(async () => {
  if (mock.available) kafka = await startKafkaMock({ topics: [{ name: 'rcpt_spans', partitions: 1 }, { name: 'rcpt_logs', partitions: 1 }] });
});
after(() => kafka?.stop());

test('receipts: in-order commits after stores, and a failed store is redelivered', { skip: !mock.available && mock.reason }, async () => {
  const common = { brokers: [kafka.bootstrap], logger: silentLogger, metrics: new Metrics() };
  const topics = { traces: 'rcpt_spans', logs: 'rcpt_logs' };
  const producer = new KafkaTransportProducer({ ...common, topics, idempotent: false, maxBatchMessages: 10 });
  const total = 60;
  for (let i = 0; i < total; i += 10) {
    await producer.send(Array.from({ length: 10 }, (_, j) => ({ signal: 'traces' as const, encoding: 'otlp_proto' as const, key: 's', value: Buffer.from(String(i + j)) })));
  }
  await producer.close();

  const stored = new Set<string>();
  let failedOnce = false;
  const consumer = new KafkaTransportConsumer({ ...common, topics, groupId: 'rcpt', sessionTimeoutMs: 6_000, heartbeatIntervalMs: 1_000, maxBytesPerPartition: 400, retryBackoff: { initialMs: 50, maxMs: 100 } });
  await consumer.start(async (batch) => {
    const values = batch.map((m) => m.value.toString());
    const fail = !failedOnce && values.includes('25');
    if (fail) failedOnce = true;
    return {
      stored: new Promise<void>((resolve, reject) =>
        setTimeout(() => {
          if (fail) return reject(new RetryableError('STORAGE_UNAVAILABLE', 'down'));
          for (const v of values) stored.add(v);
          resolve();
        }, 20),
      ),
    };
  });
  await waitFor(async () => stored.size, (n) => n === total, { timeoutMs: 30_000, what: 'every message stored' });
  const admin = new Kafka({ brokers: [kafka.bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  const committed = await waitFor(
    async () => (await admin.fetchOffsets({ groupId: 'rcpt', topics: ['rcpt_spans'] }))[0]!.partitions[0]!.offset,
    (o) => o === String(total),
    { timeoutMs: 10_000, what: 'the committed offset to reach the end' },
  );
  await admin.disconnect();
  await consumer.stop();
  assert.equal(committed, String(total));
  assert.ok(failedOnce, 'the failing store happened');
});

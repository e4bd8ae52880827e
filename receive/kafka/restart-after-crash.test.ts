/**
 * A consumer that kafkajs gives up on is started again: on librdkafka's mock cluster, the broker
 * answers the group's SyncGroup with INVALID_REQUEST (as the mock does to a member that syncs out
 * of turn during a rebalance) — a non-retriable error, after which kafkajs leaves the consumer
 * disconnected for good — and every message produced is still delivered, the restart counted.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { silentLogger } from '../../lib/logger.js';
import { Metrics } from '../../lib/metrics.js';
import { kafkaMockAvailable, startKafkaMock, type RunningKafkaMock } from '../../test/infra/kafka-mock.js';
import { waitFor } from '../../test/helpers/wait-for.js';
import type { ConsumedMessage, TransportMessage } from '../transport/transport.js';
import { KafkaTransportConsumer } from './consumer.js';
import { KafkaTransportProducer } from './producer.js';

const SYNC_GROUP = 14;
const INVALID_REQUEST = 42;
const mock = kafkaMockAvailable();
const topics = { traces: 'restart_spans', logs: 'restart_logs' };
let kafka: RunningKafkaMock;

before(async () => {
  if (!mock.available) return;
  kafka = await startKafkaMock({ topics: [{ name: topics.traces, partitions: 2 }, { name: topics.logs, partitions: 2 }] });
});
after(() => kafka?.stop());

async function restarts(metrics: Metrics): Promise<number> {
  const metric = (await metrics.registry.getSingleMetric('warden_errors_total')?.get()) as { values: Array<{ labels: { code?: string }; value: number }> } | undefined;
  return (metric?.values ?? []).filter((v) => v.labels.code === 'KAFKA_CONSUMER_RESTARTED').reduce((n, v) => n + v.value, 0);
}

it('a consumer whose SyncGroup is refused with a non-retriable error is started again and delivers everything', { skip: !mock.available && mock.reason, timeout: 120_000 }, async () => {
  const metrics = new Metrics();
  const common = { brokers: [kafka.bootstrap], logger: silentLogger, metrics, topics };
  const producer = new KafkaTransportProducer({ ...common, idempotent: false });
  const sent: TransportMessage[] = Array.from({ length: 40 }, (_, i) => ({ signal: i % 2 ? 'logs' : 'traces', encoding: 'otlp_json', key: `s${i % 5}`, value: Buffer.from(String(i)), headers: {} }));
  await producer.send(sent.slice(0, 20));

  await kafka.injectErrors(SYNC_GROUP, [INVALID_REQUEST]);
  const consumer = new KafkaTransportConsumer({ ...common, groupId: 'restart-group', maxWaitTimeMs: 100, retryBackoff: { initialMs: 100, maxMs: 400 }, sessionTimeoutMs: 6_000, heartbeatIntervalMs: 1_000 });
  const got: ConsumedMessage[] = [];
  await consumer.start(async (batch) => void got.push(...batch));
  await producer.send(sent.slice(20));
  await producer.close();
  try {
    await waitFor(async () => got.length, (n) => n >= sent.length, { timeoutMs: 60_000, what: 'every message, after the consumer was started again' });
  } finally {
    await consumer.stop();
  }
  assert.equal(got.length, sent.length, 'each message once');
  assert.deepEqual(new Set(got.map((m) => m.value.toString())), new Set(sent.map((m) => m.value.toString())));
  assert.ok((await restarts(metrics)) >= 1, 'the restart was counted');
});

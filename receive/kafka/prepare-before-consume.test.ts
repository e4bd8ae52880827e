/**
 * A batch of a new assignment is handed on only once the membership's prepare after the join
 * has settled (in Warden: the detector state of the sessions taken over rebuilt from storage).
 * Before, a message the previous owner had stored but not committed when it died was judged
 * first on an empty session and then skipped by the rebuild as already seen: a declared task's
 * deviation, judged before the task was rebuilt, was never remembered as reported (found by
 * test/e2e/sigkill-mid-stream.test.ts). On librdkafka's mock cluster, with the session assigner.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { silentLogger } from '../../lib/logger.js';
import { Metrics } from '../../lib/metrics.js';
import { kafkaMockAvailable, startKafkaMock, type RunningKafkaMock } from '../../test/infra/kafka-mock.js';
import { waitFor } from '../../test/helpers/wait-for.js';
import type { TransportMessage } from '../transport/transport.js';
import { KafkaTransportConsumer } from './consumer.js';
import { GroupMembership } from './group-membership.js';
import { KafkaTransportProducer } from './producer.js';
import { sessionAssigner } from './session-assigner.js';

const mock = kafkaMockAvailable();
const topics = { traces: 'prepare_spans', logs: 'prepare_logs' };
let kafka: RunningKafkaMock;

before(async () => {
  if (!mock.available) return;
  kafka = await startKafkaMock({ topics: [{ name: topics.traces, partitions: 2 }, { name: topics.logs, partitions: 2 }] });
});
after(() => kafka?.stop());

it('hands on no batch before the prepare after the join has settled', { skip: !mock.available && mock.reason, timeout: 60_000 }, async () => {
  const metrics = new Metrics();
  const common = { brokers: [kafka.bootstrap], logger: silentLogger, metrics, topics };
  const producer = new KafkaTransportProducer({ ...common, idempotent: false });
  const sent: TransportMessage[] = Array.from({ length: 12 }, (_, i) => ({ signal: i % 2 ? 'logs' : 'traces', encoding: 'otlp_json', key: `s${i % 4}`, value: Buffer.from(String(i)), headers: {} }));
  await producer.send(sent);
  await producer.close();

  let release: () => void = () => {};
  let prepareSettled = false;
  let prepares = 0;
  const membership = new GroupMembership({
    topic: topics.logs,
    logger: silentLogger,
    prepare: () => {
      prepares++;
      return new Promise<void>((resolve) => (release = resolve)).then(() => void (prepareSettled = true));
    },
  });
  const consumer = new KafkaTransportConsumer({ ...common, groupId: 'prepare-group', maxWaitTimeMs: 100, sessionTimeoutMs: 6_000, heartbeatIntervalMs: 1_000, membership, partitionAssigners: [sessionAssigner(() => 'http://127.0.0.1:1')] });
  const seen: Array<{ value: string; afterPrepare: boolean }> = [];
  await consumer.start(async (batch) => void seen.push(...batch.map((m) => ({ value: m.value.toString(), afterPrepare: prepareSettled }))));
  try {
    // The join happened and its prepare runs: the batches wait, heartbeating, while it does.
    await waitFor(async () => prepares, (n) => n >= 1, { what: 'the prepare after the join' });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const before = seen.length;
    release();
    await waitFor(async () => seen.length, (n) => n >= sent.length, { timeoutMs: 30_000, what: 'every message after the prepare' });
    assert.equal(before, 0, 'no message handed on while the prepare ran');
  } finally {
    await consumer.stop();
  }
  assert.deepEqual(seen.filter((m) => !m.afterPrepare), [], 'every message handed on after the prepare settled');
  assert.deepEqual(new Set(seen.map((m) => m.value)), new Set(sent.map((m) => m.value.toString())));
});

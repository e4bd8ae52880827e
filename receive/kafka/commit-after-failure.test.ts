/**
 * The innocent neighbours of a failing batch, on Kafka (librdkafka's mock cluster): when a
 * batch's store fails while a later batch of the partition is being handled, the later batch
 * must neither commit nor move the fetch position — its offsets would carry the failed batch
 * away, and a consumer that takes the partition over (after a stop or a rebalance) would never
 * see the failed batch and its neighbours. (The same on the in-process transport:
 * receive/transport/commit-after-failure.test.ts.)
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { PermanentError } from '../../lib/errors.js';
import { silentLogger } from '../../lib/logger.js';
import { Metrics } from '../../lib/metrics.js';
import { waitFor } from '../../test/helpers/wait-for.js';
import { kafkaMockAvailable, startKafkaMock, type RunningKafka } from '../../test/infra/kafka-mock.js';
import type { BatchHandler, BatchReceipt, ConsumedMessage } from '../transport/transport.js';
import { KafkaTransportConsumer } from './consumer.js';

const mock = kafkaMockAvailable();
const TOPICS = { traces: 'neighbours_spans', logs: 'neighbours_logs' };
const COUNT = 12;
const POISON = 'm5';

let kafka: RunningKafka | undefined;
before(async () => {
  if (!mock.available) return;
  kafka = await startKafkaMock({ topics: [{ name: TOPICS.traces, partitions: 1 }, { name: TOPICS.logs, partitions: 1 }] });
  // One record batch per message, so the consumer fetches them as several batches.
  const producer = new Kafka({ brokers: [kafka.bootstrap], logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  for (let i = 0; i < COUNT; i++) await producer.send({ topic: TOPICS.traces, messages: [{ key: 's', value: Buffer.from(`m${i}`) }] });
  await producer.disconnect();
});
after(async () => {
  await kafka?.stop();
});

const idOf = (m: ConsumedMessage): string => m.value.toString();

function consumer(metrics: Metrics): KafkaTransportConsumer {
  return new KafkaTransportConsumer({
    brokers: [kafka!.bootstrap],
    topics: TOPICS,
    groupId: 'neighbours',
    maxWaitTimeMs: 100,
    // Small fetches: a few messages per batch.
    maxBytesPerPartition: 200,
    retryBackoff: { initialMs: 20, maxMs: 50 },
    sessionTimeoutMs: 6_000,
    heartbeatIntervalMs: 1_000,
    logger: silentLogger,
    metrics,
  });
}

async function rewinds(metrics: Metrics): Promise<number> {
  return (await metrics.errors.get()).values.filter((v) => v.labels.stage === 'kafka-consumer').reduce((n, v) => n + v.value, 0);
}

it('a batch whose store fails while a later one is handled stays uncommitted: the next owner of the partition gets it, neighbours and all', { skip: mock.available ? false : mock.reason }, async () => {
  // First owner: the batch holding the poison message never stores (its receipt rejects while
  // the next batch is being handled); every other batch stores.
  const metrics = new Metrics();
  const first = consumer(metrics);
  const storedFirst = new Set<string>();
  let rejectPoison: (() => void) | undefined;
  let laterHandled = 0;
  const failing: BatchHandler = async (batch): Promise<BatchReceipt> => {
    if (rejectPoison) {
      const before = await rewinds(metrics);
      rejectPoison();
      rejectPoison = undefined;
      await waitFor(() => rewinds(metrics), (n) => n > before, { what: 'the failed store to reach the consumer' });
      laterHandled++;
    }
    if (batch.some((m) => idOf(m) === POISON)) {
      return {
        stored: new Promise<void>((_, reject) => {
          rejectPoison = () => reject(new PermanentError('STORAGE_REJECTED', 'the insert failed'));
        }),
      };
    }
    for (const m of batch) storedFirst.add(idOf(m));
    return { stored: Promise.resolve() };
  };
  await first.start(failing);
  try {
    await waitFor(async () => laterHandled, (n) => n >= 2, { what: 'later batches handled after the failure, twice' });
  } finally {
    await first.stop();
  }

  // Next owner of the partition: stores everything from the committed offset on.
  const storedNext = new Set<string>();
  const next = consumer(new Metrics());
  await next.start(async (batch) => {
    for (const m of batch) storedNext.add(idOf(m));
  });
  try {
    await waitFor(async () => storedNext.has(POISON), (has) => has, { what: `the next owner to receive ${POISON}`, timeoutMs: 10_000 });
    await waitFor(async () => storedNext.has(`m${COUNT - 1}`), (has) => has, { what: 'the next owner to reach the end' });
  } finally {
    await next.stop();
  }
  const all = new Set([...storedFirst, ...storedNext]);
  assert.deepEqual([...all].sort(), Array.from({ length: COUNT }, (_, i) => `m${i}`).sort(), 'every message stored by one owner or the other');
});

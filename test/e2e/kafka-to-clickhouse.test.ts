/**
 * End to end, distributed mode: OTLP export requests produced to Kafka exactly as the OTel
 * Collector's Kafka exporter writes them (topic `otlp_spans`, protobuf, keyed by session) are
 * consumed by Warden and stored in ClickHouse — exact counts, nothing lost, nothing twice, even
 * when the consumer dies after storing a batch but before committing it; a poison message goes
 * to the dead-letter topic with its origin and does not stall its partition.
 *
 * Runs against librdkafka's mock cluster (the real Kafka protocol) and embedded ClickHouse.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Kafka, logLevel } from 'kafkajs';
import { kafkaMockAvailable, startKafkaMock, type RunningKafka } from '../infra/kafka-mock.js';
import { openTempChdb, type TempChdb } from '../infra/clickhouse-chdb.js';
import { KafkaDeadLetterSink, KafkaTransportConsumer, KafkaTransportProducer } from '../../receive/kafka/index.js';
import { createBatchProcessor } from '../../pipeline/batch-processor.js';
import { createNormalizer } from '../../normalize/index.js';
import { createClassifier } from '../../normalize/classify/index.js';
import { createRedactor } from '../../normalize/redact/index.js';
import { encodeOtlp } from '../../decode/otlp/index.js';
import type { DecodedSpan } from '../../decode/otlp/records.js';
import { ClickHouseAuditStore, migrate } from '../../store/index.js';
import type { BatchHandler, TransportMessage } from '../../receive/transport/transport.js';
import { Metrics } from '../../lib/metrics.js';
import { silentLogger } from '../../lib/logger.js';
import { waitFor } from '../helpers/wait-for.js';

const mock = kafkaMockAvailable();
const SESSIONS = 12;
const REQUESTS_PER_SESSION = 10;
const SPANS_PER_REQUEST = 25;
const TOTAL = SESSIONS * REQUESTS_PER_SESSION * SPANS_PER_REQUEST;
const COMMANDS = ['ls -la', 'rm -rf build/', 'git push --force origin main', 'kubectl delete ns staging', 'terraform plan', 'cat README.md'];

let kafka: RunningKafka;
let chdb: TempChdb;

before(async () => {
  if (!mock.available) return;
  kafka = await startKafkaMock({
    topics: [
      { name: 'otlp_spans', partitions: 4 },
      { name: 'otlp_logs', partitions: 2 },
      { name: 'warden_dead_letter', partitions: 1 },
    ],
  });
  chdb = await openTempChdb('warden_kafka_e2e');
  await migrate(chdb.handle, { ttlDays: 3650 });
});
after(async () => {
  await kafka?.stop();
  await chdb?.cleanup();
});

function request(session: number, index: number): TransportMessage {
  const now = BigInt(Date.now()) * 1_000_000n;
  const spans: DecodedSpan[] = [];
  for (let i = 0; i < SPANS_PER_REQUEST; i++) {
    const n = (session * REQUESTS_PER_SESSION + index) * SPANS_PER_REQUEST + i + 1;
    spans.push({
      signal: 'traces',
      resource: { 'service.name': 'agent', 'session.id': `kafka-e2e-${session}` },
      scope: { name: 'collector-format', version: '1' },
      traceId: (session + 1).toString(16).padStart(32, '0'),
      spanId: n.toString(16).padStart(16, '0'),
      parentSpanId: '',
      name: 'execute_tool Bash',
      kind: 1,
      startTimeUnixNano: (now + BigInt(n)).toString(),
      endTimeUnixNano: (now + BigInt(n) + 1000n).toString(),
      attributes: {
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': 'Bash',
        'gen_ai.tool.call.arguments': JSON.stringify({ command: COMMANDS[n % COMMANDS.length] }),
      },
      events: [],
      status: { code: 0, message: '' },
    });
  }
  return { signal: 'traces', encoding: 'otlp_proto', key: `kafka-e2e-${session}`, value: encodeOtlp('traces', spans, 'otlp_proto') };
}

async function counts(): Promise<{ rows: number; unique: number }> {
  const result = await chdb.handle.client.query({
    query: "SELECT count() AS rows, uniqExact(event_id) AS unique FROM audit_events WHERE session_id LIKE 'kafka-e2e-%'",
    format: 'JSONEachRow',
  });
  const [row] = await result.json<{ rows: string; unique: string }>();
  return { rows: Number(row!.rows), unique: Number(row!.unique) };
}

test('Collector-format spans through Kafka land in ClickHouse exactly once, across a consumer crash, with poison dead-lettered', { skip: !mock.available && mock.reason }, async () => {
  const metrics = new Metrics();
  // The mock cluster holds a rejoin until the departed member's session times out: keep it short.
  const common = { brokers: [kafka.bootstrap], logger: silentLogger, metrics, sessionTimeoutMs: 6_000, heartbeatIntervalMs: 1_000 };
  const producer = new KafkaTransportProducer({ ...common, idempotent: false });
  const deadLetter = new KafkaDeadLetterSink({ ...common, idempotent: false });
  const store = new ClickHouseAuditStore(chdb.handle, { logger: silentLogger, metrics });
  const process = createBatchProcessor({
    normalizer: createNormalizer({ classifier: createClassifier(), redactor: createRedactor() }),
    store,
    deadLetter,
    logger: silentLogger,
    metrics,
  });

  // Produce everything up front, with one poison message in the middle of session 3's partition.
  const messages: TransportMessage[] = [];
  for (let index = 0; index < REQUESTS_PER_SESSION; index++) {
    for (let session = 0; session < SESSIONS; session++) messages.push(request(session, index));
    if (index === 4) messages.push({ signal: 'traces', encoding: 'otlp_proto', key: 'kafka-e2e-3', value: Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]) });
  }
  await producer.send(messages);

  // First consumer: stores a few batches normally, then dies after storing one but before the
  // commit (its handler never resolves; stop() abandons it, so the offsets stay uncommitted).
  let calls = 0;
  let crashed!: () => void;
  const crash = new Promise<void>((resolve) => (crashed = resolve));
  const dying: BatchHandler = async (batch, ctx) => {
    calls++;
    const receipt = await process(batch, ctx);
    if (calls < 3) return receipt;
    await receipt?.stored;
    crashed();
    return new Promise<never>(() => {});
  };
  // Small fetches, one partition at a time: the crash lands while most of the topic is still
  // unread (with the production defaults, three batches can hold the whole topic).
  const first = new KafkaTransportConsumer({ ...common, groupId: 'warden-e2e', maxBytesPerPartition: 16_384, partitionsConsumedConcurrently: 1 });
  await first.start(dying);
  await crash;
  const afterCrash = await counts();
  await first.stop();
  assert.ok(afterCrash.rows > 0 && afterCrash.rows < TOTAL, `first consumer stored ${afterCrash.rows} of ${TOTAL}`);

  // Second consumer, same group: picks up from the committed offsets, re-reads the uncommitted batch.
  const second = new KafkaTransportConsumer({ ...common, groupId: 'warden-e2e' });
  await second.start(process);
  const final = await waitFor(counts, (c) => c.rows >= TOTAL, { timeoutMs: 60_000, what: `${TOTAL} rows` });
  // Give a late duplicate a chance to show up before asserting there is none.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  assert.deepEqual(await counts(), { rows: TOTAL, unique: TOTAL });
  assert.equal(final.rows, TOTAL);
  await second.stop();

  // The poison message is in the dead-letter topic, with where it came from and why.
  const reader = new Kafka({ brokers: [kafka.bootstrap], logLevel: logLevel.NOTHING }).consumer({ groupId: 'dlq-reader' });
  const letters: Array<Record<string, string>> = [];
  await reader.connect();
  await reader.subscribe({ topic: 'warden_dead_letter', fromBeginning: true });
  await reader.run({
    eachMessage: async ({ message }) => {
      letters.push(Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])));
    },
  });
  await waitFor(async () => letters.length, (n) => n >= 1, { timeoutMs: 30_000, what: 'the dead letter' });
  await reader.disconnect();
  // At least once: if the crashed batch held the poison message, it was dead-lettered twice —
  // always the same message (same origin offset), never another one.
  const origins = new Set(letters.map((h) => JSON.stringify(Object.entries(h).filter(([k]) => /offset|partition|topic/i.test(k)))));
  assert.equal(origins.size, 1, JSON.stringify(letters));
  const headers = JSON.stringify(letters[0]);
  assert.match(headers, /otlp_spans/);
  assert.match(headers, /OTLP_/);
  await producer.close();
  await deadLetter.close();
});

/**
 * Every codec the OpenTelemetry Collector's Kafka exporter can write (gzip, snappy, lz4, zstd),
 * end to end on librdkafka's mock cluster and embedded ClickHouse: Collector-format topics
 * (protobuf export requests, no content-type header, keyed by session or not keyed) written by
 * librdkafka itself with each codec, and by Warden's own producer with each codec it can write,
 * are consumed and stored exactly once. A batch whose compressed bytes are corrupt is
 * dead-lettered record by record (its bytes kept), counted, and the partition moves on to the
 * good batches after it.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import kafkajs from 'kafkajs';
import { kafkaMockAvailable, startKafkaMock, type RunningKafka } from '../infra/kafka-mock.js';
import { produceWithRdkafka, type RdkafkaCodec } from '../infra/rdkafka-producer.js';
import { openTempChdb, type TempChdb } from '../infra/clickhouse-chdb.js';
import { KafkaDeadLetterSink, KafkaTransportConsumer, KafkaTransportProducer } from '../../receive/kafka/index.js';
import { compressionUnavailable, registerCodecs, type Compression } from '../../receive/kafka/codecs.js';
import { createBatchProcessor } from '../../pipeline/batch-processor.js';
import { createNormalizer } from '../../normalize/index.js';
import { createClassifier } from '../../normalize/classify/index.js';
import { createRedactor } from '../../normalize/redact/index.js';
import { encodeOtlp } from '../../decode/otlp/index.js';
import type { DecodedSpan } from '../../decode/otlp/records.js';
import { ClickHouseAuditStore, migrate } from '../../store/index.js';
import { Metrics } from '../../lib/metrics.js';
import { silentLogger } from '../../lib/logger.js';
import { waitFor } from '../helpers/wait-for.js';

const mock = kafkaMockAvailable();
const RDKAFKA_CODECS: RdkafkaCodec[] = ['gzip', 'snappy', 'lz4', 'zstd'];
const WARDEN_CODECS: Compression[] = ['gzip', 'snappy', 'lz4', 'zstd'];
const REQUESTS = 6;
const SPANS = 20;

let kafka: RunningKafka;
let chdb: TempChdb;

before(async () => {
  if (!mock.available) return;
  kafka = await startKafkaMock({
    topics: [
      { name: 'otlp_spans', partitions: 2 },
      { name: 'otlp_logs', partitions: 1 },
      { name: 'warden_dead_letter', partitions: 1 },
    ],
  });
  chdb = await openTempChdb('warden_kafka_codecs');
  await migrate(chdb.handle, { ttlDays: 3650 });
});
after(async () => {
  await kafka?.stop();
  await chdb?.cleanup();
});

/**
 * One Collector-format export request of SPANS spans for `session`. The trace id is the session's
 * name cut to 16 bytes, so `…-0` and `…-1` of one codec share trace and span ids, and their
 * events have equal ids: storage must keep them apart (an insert of one partition's batch was
 * once dropped as a repeat of the other's, when both held the same ids).
 */
function request(session: string, index: number): Buffer {
  const now = BigInt(Date.now()) * 1_000_000n;
  const spans: DecodedSpan[] = Array.from({ length: SPANS }, (_, i) => {
    const n = index * SPANS + i + 1;
    return {
      signal: 'traces',
      resource: { 'service.name': 'agent', 'session.id': session },
      scope: { name: 'collector-format', version: '1' },
      traceId: Buffer.from(session).toString('hex').padEnd(32, '0').slice(0, 32),
      spanId: n.toString(16).padStart(16, '0'),
      parentSpanId: '',
      name: 'execute_tool Bash',
      kind: 1,
      startTimeUnixNano: (now + BigInt(n)).toString(),
      endTimeUnixNano: (now + BigInt(n) + 1000n).toString(),
      attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'Bash', 'gen_ai.tool.call.arguments': JSON.stringify({ command: `ls ${n}` }) },
      events: [],
      status: { code: 0, message: '' },
    };
  });
  return encodeOtlp('traces', spans, 'otlp_proto');
}

async function stored(): Promise<Map<string, { rows: number; unique: number }>> {
  const result = await chdb.handle.client.query({
    query: "SELECT session_id, count() AS rows, uniqExact(event_id) AS unique FROM audit_events WHERE session_id LIKE 'codec-%' GROUP BY session_id",
    format: 'JSONEachRow',
  });
  const out = new Map<string, { rows: number; unique: number }>();
  for (const r of await result.json<{ session_id: string; rows: string; unique: string }>()) out.set(r.session_id, { rows: Number(r.rows), unique: Number(r.unique) });
  return out;
}

test('Collector-format topics written with each codec are stored exactly once; a corrupt batch is dead-lettered and the partition moves on', { skip: !mock.available && mock.reason }, async () => {
  registerCodecs();
  const { Kafka, logLevel, CompressionTypes } = kafkajs;
  const metrics = new Metrics();
  const common = { brokers: [kafka.bootstrap], logger: silentLogger, metrics, sessionTimeoutMs: 6_000, heartbeatIntervalMs: 1_000 };
  const sessions: string[] = [];

  // 1. A corrupt LZ4 batch of three records on partition 0, written before the good ones there:
  //    kafkajs with its LZ4 codec swapped for one that writes bytes that are no LZ4 frame.
  const garbage = Buffer.from('this is not an lz4 frame at all');
  const codecs = kafkajs.CompressionCodecs;
  const lz4 = codecs[CompressionTypes.LZ4];
  codecs[CompressionTypes.LZ4] = () => ({ compress: async () => garbage, decompress: async () => garbage });
  const raw = new Kafka({ brokers: [kafka.bootstrap], logLevel: logLevel.NOTHING }).producer();
  try {
    await raw.connect();
    await raw.send({ topic: 'otlp_spans', compression: CompressionTypes.LZ4, messages: [0, 1, 2].map((i) => ({ partition: 0, key: 'codec-corrupt', value: request('codec-corrupt', i) })) });
  } finally {
    codecs[CompressionTypes.LZ4] = lz4;
    await raw.disconnect();
  }

  // 2. librdkafka writes each codec, both partitions, keyed by session on one and not keyed on the other.
  for (const codec of RDKAFKA_CODECS) {
    for (const partition of [0, 1]) {
      const session = `codec-rdkafka-${codec}-${partition}`;
      sessions.push(session);
      const messages = Array.from({ length: REQUESTS }, (_, i) => ({ key: partition === 0 ? session : null, value: request(session, i) }));
      await produceWithRdkafka(kafka.bootstrap, 'otlp_spans', partition, codec, messages);
    }
  }

  // 3. Warden's producer, with each codec it can write here (zstd only where node:zlib has it).
  const written: string[] = [];
  for (const codec of WARDEN_CODECS) {
    if (compressionUnavailable(codec)) {
      assert.throws(() => new KafkaTransportProducer({ ...common, idempotent: false, compression: codec }), /CONFIG_INVALID|not available/);
      continue;
    }
    const session = `codec-warden-${codec}`;
    sessions.push(session);
    written.push(codec);
    const producer = new KafkaTransportProducer({ ...common, idempotent: false, compression: codec });
    await producer.send(Array.from({ length: REQUESTS }, (_, i) => ({ signal: 'traces' as const, encoding: 'otlp_proto' as const, key: session, value: request(session, i) })));
    await producer.close();
  }

  const deadLetter = new KafkaDeadLetterSink({ ...common, idempotent: false });
  const handle = createBatchProcessor({
    normalizer: createNormalizer({ classifier: createClassifier(), redactor: createRedactor() }),
    store: new ClickHouseAuditStore(chdb.handle, { logger: silentLogger, metrics }),
    deadLetter,
    logger: silentLogger,
    metrics,
  });
  const consumer = new KafkaTransportConsumer({ ...common, groupId: 'warden-codecs', maxWaitTimeMs: 100 });
  const want = REQUESTS * SPANS;
  let final: Awaited<ReturnType<typeof stored>>;
  try {
    await consumer.start(handle);
    await waitFor(stored, (s) => sessions.every((id) => (s.get(id)?.rows ?? 0) >= want), { timeoutMs: 60_000, what: `${want} rows for each of ${sessions.join(', ')}` }).catch(
      async (err: unknown) => {
        // What the consumer ran into, for whoever reads the failure.
        const errors = (await metrics.errors.get()).values.map((v) => ({ ...v.labels, count: v.value }));
        throw new Error(`${(err as Error).message}; errors counted: ${JSON.stringify(errors)}`, { cause: err });
      },
    );
    await new Promise((resolve) => setTimeout(resolve, 500)); // a late duplicate would show now
    final = await stored();
  } finally {
    await consumer.stop();
  }

  const table = sessions.map((id) => ({ session: id, ...final.get(id) }));
  console.log(`codecs stored (rows, unique event ids per session; ${want} sent each; warden producer wrote ${written.join(', ')}):`);
  for (const row of table) console.log(`  ${row.session.padEnd(28)} ${row.rows} ${row.unique}`);
  for (const row of table) assert.deepEqual({ rows: row.rows, unique: row.unique }, { rows: want, unique: want }, row.session);
  assert.equal(final.has('codec-corrupt'), false, 'nothing of the corrupt batch is stored');

  // The corrupt batch: one dead letter per record, at its origin, the first holding the batch's bytes.
  const reader = new Kafka({ brokers: [kafka.bootstrap], logLevel: logLevel.NOTHING }).consumer({ groupId: 'codecs-dlq-reader', maxWaitTimeInMs: 100 });
  const letters: Array<{ headers: Record<string, string>; value: Buffer }> = [];
  await reader.connect();
  await reader.subscribe({ topic: 'warden_dead_letter', fromBeginning: true });
  await reader.run({
    eachMessage: async ({ message }) => {
      letters.push({ headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])), value: message.value ?? Buffer.alloc(0) });
    },
  });
  await waitFor(async () => letters.length, (n) => n >= 3, { timeoutMs: 30_000, what: 'three dead letters' });
  await new Promise((resolve) => setTimeout(resolve, 300));
  await reader.disconnect();
  assert.equal(letters.length, 3, JSON.stringify(letters.map((l) => l.headers)));
  assert.deepEqual(letters.map((l) => [l.headers['warden.origin.partition'], l.headers['warden.origin.offset'], l.headers['warden.error.code']]), [
    ['0', '0', 'KAFKA_BATCH_CORRUPT'],
    ['0', '1', 'KAFKA_BATCH_CORRUPT'],
    ['0', '2', 'KAFKA_BATCH_CORRUPT'],
  ]);
  assert.deepEqual(letters[0]!.value, garbage, 'the first dead letter keeps the compressed bytes');
  assert.match(letters[0]!.headers['warden.error.message'] ?? '', /lz4 batch cannot be decompressed/);
  const counted = (await metrics.errors.get()).values.find((v) => v.labels.stage === 'decode' && v.labels.code === 'KAFKA_BATCH_CORRUPT');
  assert.equal(counted?.value, 3);
  await deadLetter.close();
});

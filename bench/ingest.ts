/**
 * `npm run bench`: end-to-end ingest throughput (Kafka → decode → normalize/classify/redact →
 * ClickHouse) on this machine, and in the same run the raw rate of each stage on the same
 * workload, so the ratio of end to end to the slowest stage is visible, with each stage's CPU
 * time per span (the scale model in the README is built from these) and the detectors' cost
 * alone (the end-to-end run has no detection). Kafka is librdkafka's
 * mock cluster (the real protocol; it holds at most 5 MiB per partition, which bounds the
 * workload; messages are gzip-compressed as the Collector's exporter can do), ClickHouse the embedded engine. Prints figures; asserts nothing.
 */
import { performance } from 'node:perf_hooks';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CompressionTypes, Kafka, logLevel } from 'kafkajs';
import { startKafkaMock } from '../test/infra/kafka-mock.js';
import { KafkaTransportConsumer, KafkaTransportProducer } from '../receive/kafka/index.js';
import { createBatchProcessor } from '../pipeline/batch-processor.js';
import { WorkerNormalizer } from '../normalize/worker/worker-normalizer.js';
import { PIPELINE_WORKER_ENTRY } from '../pipeline/worker/index.js';
import { createNormalizer } from '../normalize/index.js';
import { createClassifier } from '../normalize/classify/index.js';
import { createRedactor } from '../normalize/redact/index.js';
import { decodeOtlp, scanOtlp } from '../decode/otlp/index.js';
import { ClickHouseAuditStore, migrate, openClickHouse } from '../store/index.js';
import type { AuditEvent } from '../model/audit-event.js';
import type { AuditStore, InsertEventsOptions } from '../store/storage.js';
import type { PreparedRows } from '../store/prepared-rows.js';
import { MemoryDeadLetterSink } from '../receive/transport/memory.js';
import { Metrics } from '../lib/metrics.js';
import { silentLogger } from '../lib/logger.js';
import { systemClock } from '../lib/clock.js';
import { DetectionEngine, SessionRegistry, loadPolicy } from '../detect/engine/index.js';
import { buildWorkload } from './workload.js';
import { benchClassify } from '../normalize/classify/bench-classify.js';

const PARTITIONS = 8;
const SESSIONS = 32;
const REQUESTS_PER_SESSION = 40;
const SPANS_PER_REQUEST = 100;

function rate(count: number, ms: number): number {
  return Math.round((count * 1000) / ms);
}

/**
 * CPU time of the whole process (every thread: main, worker, GC helpers, embedded ClickHouse)
 * per span since `since`: what a stage costs, much less swayed by other work on the machine than
 * the wall-clock rate is.
 */
function cpuPerSpan(since: NodeJS.CpuUsage, spans: number): string {
  const used = process.cpuUsage(since);
  return `${((used.user + used.system) / spans).toFixed(1)} µs CPU/span`;
}

function line(label: string, perSecond: number, note = '', cpu = ''): void {
  process.stdout.write(`  ${label.padEnd(34)} ${perSecond.toLocaleString('en-US').padStart(10)} spans/s  ${cpu.padEnd(20)}${note}\n`);
}

const workload = buildWorkload({ sessions: SESSIONS, requestsPerSession: REQUESTS_PER_SESSION, spansPerRequest: SPANS_PER_REQUEST });
process.stdout.write(
  `Workload: ${workload.spans.toLocaleString('en-US')} spans in ${workload.messages.length} OTLP requests ` +
    `(${(workload.bytes / 1024 / 1024).toFixed(1)} MiB protobuf), ${SESSIONS} sessions, 70% tool calls over ` +
    `${workload.distinctCommands} distinct corpus commands; ${os.cpus().length} cores, Node ${process.version}\n\n`,
);

const kafka = await startKafkaMock({
  topics: [
    { name: 'otlp_spans', partitions: PARTITIONS },
    { name: 'otlp_logs', partitions: 1 },
    { name: 'bench_raw', partitions: PARTITIONS },
  ],
});
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-bench-'));
const metrics = new Metrics();
const storage = await openClickHouse({ dataPath: dataDir, database: 'warden_bench', logger: silentLogger });
await migrate(storage, { ttlDays: 30 });

try {
  const common = { brokers: [kafka.bootstrap], logger: silentLogger, metrics };
  const producer = new KafkaTransportProducer({ ...common, idempotent: false, compression: 'gzip' });
  await producer.send(workload.messages);
  // The same bytes to a second topic, for the raw consume rate.
  const raw = new Kafka({ brokers: [kafka.bootstrap], logLevel: logLevel.NOTHING }).producer();
  await raw.connect();
  for (let i = 0; i < workload.messages.length; i += 500) {
    await raw.send({ topic: 'bench_raw', compression: CompressionTypes.GZIP, messages: workload.messages.slice(i, i + 500).map((m) => ({ key: m.key, value: m.value })) });
  }
  await raw.disconnect();
  await producer.close();

  process.stdout.write('Raw stage rates (each alone, same workload):\n');

  // 1. kafkajs consume: fetch every message, touch nothing.
  let rawCpuFrom = process.cpuUsage();
  let rawCpu = '';
  const rawRate = await new Promise<number>((resolve, reject) => {
    const consumer = new Kafka({ brokers: [kafka.bootstrap], logLevel: logLevel.NOTHING }).consumer({ groupId: 'bench-raw', maxBytesPerPartition: 4 * 1024 * 1024 });
    let seen = 0;
    let first = 0;
    consumer
      .connect()
      .then(() => consumer.subscribe({ topic: 'bench_raw', fromBeginning: true }))
      .then(() =>
        consumer.run({
          eachBatch: async ({ batch }) => {
            if (first === 0) {
              first = performance.now();
              rawCpuFrom = process.cpuUsage();
            }
            seen += batch.messages.length;
            if (seen >= workload.messages.length) {
              const ms = performance.now() - first;
              rawCpu = cpuPerSpan(rawCpuFrom, workload.spans);
              void consumer.disconnect().then(() => resolve(rate(workload.spans, ms)));
            }
          },
        }),
      )
      .catch(reject);
  });
  line('kafkajs consume', rawRate, '', rawCpu);

  const store = new ClickHouseAuditStore(storage, { logger: silentLogger, metrics });
  // 2–4 run in a function: their decoded records and events (hundreds of MiB) are garbage by
  // the time the end-to-end run starts, as they would be in `warden start`.
  const { decodeRate, normalizeRate, insertRate } = await (async () => {
    // 2. OTLP decode.
    let t = performance.now();
    let cpu = process.cpuUsage();
    const decoded = workload.messages.map((m) => decodeOtlp('traces', m.value, 'otlp_proto'));
    const decodeRate = rate(workload.spans, performance.now() - t);
    line('OTLP protobuf decode', decodeRate, '', cpuPerSpan(cpu, workload.spans));
    // What the embedded receiver does on its event loop instead (the worker decodes): scan only.
    t = performance.now();
    cpu = process.cpuUsage();
    for (const m of workload.messages) scanOtlp('traces', m.value, 'otlp_proto');
    line('(receiver scan, same checks)', rate(workload.spans, performance.now() - t), 'on the HTTP thread in embedded mode; not a stage of this run', cpuPerSpan(cpu, workload.spans));

    // 3. normalize + classify + redact (fresh normalizer: cold classifier cache at the start).
    const normalizer = createNormalizer({ classifier: createClassifier(), redactor: createRedactor() });
    t = performance.now();
    cpu = process.cpuUsage();
    const events: AuditEvent[][] = decoded.map((records) => normalizer.normalize(records));
    const normalizeRate = rate(workload.spans, performance.now() - t);
    line('normalize + classify + redact', normalizeRate, '(classifier cache cold at start)', cpuPerSpan(cpu, workload.spans));
    // Detection alone: every detector of the default policy over the same events, in memory (no
    // findings written, no revocations): the per-span cost of the detect stage.
    let findingCount = 0;
    const engine = new DetectionEngine({
      registry: new SessionRegistry({ clock: systemClock }),
      policy: loadPolicy(),
      clock: systemClock,
      logger: silentLogger,
      metrics: new Metrics(),
      onFinding: () => {
        findingCount++;
      },
    });
    t = performance.now();
    cpu = process.cpuUsage();
    for (const batch of events) await engine.consume(batch);
    line('detect (default policy, in memory)', rate(workload.spans, performance.now() - t), `(${findingCount} findings, none stored)`, cpuPerSpan(cpu, workload.spans));
    await engine.drain();
    const cold = benchClassify(2, { cacheSize: 0 });
    process.stdout.write(`  ${'(classify alone, no cache)'.padEnd(34)} ${cold.cold_per_sec.toLocaleString('en-US').padStart(10)} commands/s over ${cold.cases} corpus cases — every command new\n`);

    // 4. ClickHouse insert, batches the size the consumer hands over (one partition's fetch).
    const perBatch = Math.ceil(events.length / PARTITIONS / 2);
    t = performance.now();
    cpu = process.cpuUsage();
    for (let i = 0; i < events.length; i += perBatch) await store.insertEvents(events.slice(i, i + perBatch).flat());
    const insertRate = rate(workload.spans, performance.now() - t);
    line('ClickHouse insert (embedded)', insertRate, `(batches of ~${(perBatch * SPANS_PER_REQUEST).toLocaleString('en-US')}; rows, the activity views, merges so far)`, cpuPerSpan(cpu, workload.spans));
    await storage.client.command({ query: 'TRUNCATE TABLE audit_events' });
    return { decodeRate, normalizeRate, insertRate };
  })();

  // 5. End to end through Warden's consumer and batch processor.
  let stored = 0;
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  const counting: AuditStore = {
    prepareEvents: (events) => store.prepareEvents(events),
    insertRows: async (rows: PreparedRows, options?: InsertEventsOptions) => {
      await store.insertRows(rows, options);
      stored += rows.ids.length;
      if (stored >= workload.spans) resolveDone();
    },
    insertEvents: async (events: AuditEvent[], options?: InsertEventsOptions) => counting.insertRows(await store.prepareEvents(events), options),
  };
  let first = 0;
  // As `warden start` runs it: decoding, normalizing and preparing the rows on the worker thread
  // (its pipeline entry), unless WARDEN_NORMALIZE_WORKER=false (as for the server).
  const worker = process.env.WARDEN_NORMALIZE_WORKER === 'false' ? undefined : new WorkerNormalizer({ logger: silentLogger, metrics, entry: PIPELINE_WORKER_ENTRY });
  await worker?.start();
  process.stdout.write(`\nEnd to end (Kafka → decode → normalize → ClickHouse, offsets committed after insert; decode and normalize ${worker ? 'on the worker thread, as `warden start` runs them' : 'on the main thread'}):\n`);
  const processBatch = createBatchProcessor({
    normalizer: createNormalizer({ classifier: createClassifier(), redactor: createRedactor() }),
    ...(worker ? { messages: worker } : {}),
    store: counting,
    deadLetter: new MemoryDeadLetterSink({ logger: silentLogger, metrics }),
    logger: silentLogger,
    metrics,
  });
  const consumer = new KafkaTransportConsumer({ ...common, groupId: 'bench-e2e' });
  let e2eCpuFrom = process.cpuUsage();
  await consumer.start((batch, ctx) => {
    if (first === 0) {
      first = performance.now();
      e2eCpuFrom = process.cpuUsage();
    }
    return processBatch(batch, ctx); // the receipt: offsets are committed after the insert
  });
  await done;
  const e2eRate = rate(workload.spans, performance.now() - first);
  const e2eCpu = cpuPerSpan(e2eCpuFrom, workload.spans);
  await consumer.stop();
  await worker?.close();
  const slowest = Math.min(rawRate, decodeRate, normalizeRate, insertRate);
  line('end to end', e2eRate, `= ${Math.round((e2eRate / slowest) * 100)}% of the slowest raw stage (${slowest.toLocaleString('en-US')} spans/s); no detection in this run`, e2eCpu);
  const result = await storage.client.query({ query: 'SELECT count() AS c, uniqExact(event_id) AS u FROM audit_events', format: 'JSONEachRow' });
  const [row] = await result.json<{ c: string; u: string }>();
  process.stdout.write(`  stored rows: ${row!.c} (unique event ids: ${row!.u}, expected ${workload.spans})\n`);
} finally {
  await storage.close();
  await kafka.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}

/**
 * The pipeline's normalize worker prepares the storage rows of the events it normalizes, on its
 * own thread: the rows it returns are byte for byte what the store prepares on the main thread,
 * the batch processor stores them without preparing them again, and a message whose text needed
 * repair (a lone surrogate) comes back without rows, so the main thread prepares it — counted
 * and logged as before. Real worker thread, real normalizer, embedded ClickHouse.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createBatchProcessor } from '../batch-processor.js';
import { createNormalizer } from '../../normalize/index.js';
import { createClassifier } from '../../normalize/classify/index.js';
import { createRedactor } from '../../normalize/redact/index.js';
import { WorkerNormalizer } from '../../normalize/worker/worker-normalizer.js';
import { encodeOtlp } from '../../decode/otlp/index.js';
import type { DecodedSpan } from '../../decode/otlp/records.js';
import { ClickHouseAuditStore, countEvents, migrate } from '../../store/index.js';
import { prepareRows, preparedRowsFrom, type PreparedRows } from '../../store/prepared-rows.js';
import type { AuditStore, InsertEventsOptions } from '../../store/storage.js';
import type { AuditEvent } from '../../model/audit-event.js';
import { MemoryDeadLetterSink } from '../../receive/transport/memory.js';
import type { BatchContext, ConsumedMessage } from '../../receive/transport/transport.js';
import { Metrics } from '../../lib/metrics.js';
import { silentLogger } from '../../lib/logger.js';
import { openTempChdb, type TempChdb } from '../../test/infra/clickhouse-chdb.js';
import { PIPELINE_WORKER_ENTRY } from './index.js';

let chdb: TempChdb;
const workers: WorkerNormalizer[] = [];
before(async () => {
  chdb = await openTempChdb('warden_worker_rows');
  await migrate(chdb.handle, { ttlDays: 3650 });
});
after(async () => {
  for (const w of workers) await w.close();
  await chdb?.cleanup();
});

const NOW_NS = BigInt(Date.now()) * 1_000_000n;
let offset = 0;

function spanMessage(sessionId: string, commands: Array<string | { command: string; note: string }>, encoding: 'otlp_proto' | 'otlp_json' = 'otlp_proto'): ConsumedMessage {
  const o = offset++;
  const spans: DecodedSpan[] = commands.map((spec, i) => {
    const { command, note } = typeof spec === 'string' ? { command: spec, note: undefined } : spec;
    return {
      signal: 'traces',
      resource: { 'service.name': 'agent', 'session.id': sessionId },
      scope: { name: 'test', version: '1' },
      traceId: 'cc'.repeat(16),
      spanId: (o * 1000 + i + 1).toString(16).padStart(16, '0'),
      parentSpanId: '',
      name: 'execute_tool Bash',
      kind: 1,
      startTimeUnixNano: (NOW_NS + BigInt(o * 1000 + i)).toString(),
      endTimeUnixNano: (NOW_NS + BigInt(o * 1000 + i) + 1000n).toString(),
      attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'Bash', 'gen_ai.tool.call.arguments': JSON.stringify({ command }), ...(note ? { note } : {}) },
      events: [],
      status: { code: 0, message: '' },
    };
  });
  return { signal: 'traces', encoding, key: sessionId, value: encodeOtlp('traces', spans, encoding), origin: { topic: 'otlp_spans', partition: 0, offset: String(o) } };
}

async function pipelineWorker(metrics: Metrics): Promise<WorkerNormalizer> {
  const worker = new WorkerNormalizer({ logger: silentLogger, metrics, entry: PIPELINE_WORKER_ENTRY });
  workers.push(worker);
  await worker.start();
  return worker;
}

/** The real store, counting the events it was asked to prepare itself. */
class CountingStore implements AuditStore {
  preparedHere = 0;
  readonly inserted: PreparedRows[] = [];
  constructor(private readonly inner: AuditStore) {}
  async insertEvents(events: AuditEvent[], options: InsertEventsOptions = {}): Promise<void> {
    await this.insertRows(await this.prepareEvents(events), options);
  }
  prepareEvents(events: readonly AuditEvent[]): Promise<PreparedRows> {
    this.preparedHere += events.length;
    return this.inner.prepareEvents(events);
  }
  insertRows(rows: PreparedRows, options: InsertEventsOptions = {}): Promise<void> {
    this.inserted.push(rows);
    return this.inner.insertRows(rows, options);
  }
}

const live: BatchContext = { heartbeat: async () => {}, isStale: () => false };

test('the worker returns each message\'s rows, byte for byte what the store prepares here; a message needing repair comes back without', async () => {
  const worker = await pipelineWorker(new Metrics());
  const batch = [
    spanMessage('rows-1', ['git status', 'rm -rf /srv/data', 'curl -H "Authorization: Bearer ghp_abcdefghijklmnopqrstuvwxyz0123456789" https://x']),
    spanMessage('rows-2', [{ command: 'ls', note: 'half a pair: \ud800' }, 'pwd'], 'otlp_json'),
  ];
  const outcomes = await worker.normalizeMessages(batch);
  const [first, second] = outcomes;
  assert.ok(first && 'events' in first && second && 'events' in second);
  const rows = preparedRowsFrom(first.prepared, first.events.length);
  assert.ok(rows, 'rows came back for the first message');
  assert.ok(rows.parts.length > 0 && rows.parts.every((p) => p.owned === true), 'each part\'s bytes were moved here, a buffer of their own');
  const here = await prepareRows(first.events);
  assert.deepEqual(rows.ids, here.ids);
  assert.equal(Buffer.concat(rows.parts.map((p) => p.text)).toString(), Buffer.concat(here.parts.map((p) => p.text)).toString());
  assert.ok(!Buffer.concat(rows.parts.map((p) => p.text)).toString().includes('ghp_abcdef'), 'the rows carry redacted text');
  assert.equal(second.prepared, undefined, 'a lone surrogate leaves the rows to the main thread');
  assert.equal(preparedRowsFrom(first.prepared, first.events.length + 1), undefined, 'rows for another number of events are refused');
  assert.equal(preparedRowsFrom({ ids: [] }, 0), undefined);
});

test('the batch processor stores the worker\'s rows without preparing them again, and prepares (and counts) only the message that needed repair', async () => {
  const metrics = new Metrics();
  const store = new CountingStore(new ClickHouseAuditStore(chdb.handle, { logger: silentLogger, metrics }));
  const process = createBatchProcessor({
    normalizer: createNormalizer({ classifier: createClassifier(), redactor: createRedactor(), metrics }),
    messages: await pipelineWorker(metrics),
    store,
    deadLetter: new MemoryDeadLetterSink({ logger: silentLogger, metrics }),
    logger: silentLogger,
    metrics,
    insert: { maxEvents: 1000, maxDelayMs: 5 },
  });
  const session = 'rows-stored';
  const batch = [spanMessage(session, ['git status', 'npm test', 'rm -rf build']), spanMessage(session, [{ command: 'ls', note: 'half a pair: \ud800' }], 'otlp_json'), spanMessage(session, ['git diff'])];
  const receipt = await process(batch, live);
  await receipt?.stored;
  assert.equal(await countEvents(chdb.handle, { sessionId: session }), 5);
  assert.equal(store.preparedHere, 1, 'only the repaired message was prepared on this thread');
  const { values } = await metrics.errors.get();
  assert.equal(values.filter((v) => v.labels.code === 'LONE_SURROGATE_REPLACED').reduce((n, v) => n + v.value, 0), 1);
  const rs = await chdb.handle.client.query({ query: 'SELECT command FROM warden_worker_rows.audit_events WHERE session_id = {s:String} ORDER BY time', query_params: { s: session }, format: 'JSONEachRow' });
  assert.deepEqual((await rs.json<{ command: string }>()).map((r) => r.command), ['git status', 'npm test', 'rm -rf build', 'ls', 'git diff']);
  // Stored, the bytes the worker handed over are given back (detached), not left to a full collection.
  const parts = store.inserted.flatMap((r) => r.parts);
  assert.equal(parts.filter((p) => p.owned).length, 2, 'the two messages the worker prepared');
  assert.ok(parts.every((p) => (p.owned ? p.text.buffer.byteLength === 0 : p.text.byteLength > 0)), 'owned parts released, the one prepared here untouched');
});

/**
 * Records that used to jam the storage path, through the batch processor with the real decoder,
 * normalizer and embedded ClickHouse (chdb). Each used to fail its batch's insert on every
 * redelivery, be retried forever, take its innocent neighbours down with it, or be stored wrong;
 * now the bad record alone is refused, replaced or dead-lettered (counted, with its reason) and
 * everything else is stored before the receipt resolves. Where a bad event must reach storage
 * although the normalizer would not produce it (a future bug), it is injected between the
 * normalizer and the store, and ClickHouse's own refusal is what the test meets.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createBatchProcessor } from './batch-processor.js';
import { createNormalizer } from '../normalize/index.js';
import { createClassifier } from '../normalize/classify/index.js';
import { createRedactor } from '../normalize/redact/index.js';
import { encodeOtlp } from '../decode/otlp/index.js';
import type { DecodedSpan } from '../decode/otlp/records.js';
import { ClickHouseAuditStore, countEvents, migrate } from '../store/index.js';
import { StorageHealth } from '../store/storage-health.js';
import type { AuditEvent } from '../model/audit-event.js';
import { createMemoryTransport, MemoryDeadLetterSink } from '../receive/transport/memory.js';
import type { BatchContext, ConsumedMessage } from '../receive/transport/transport.js';
import { inProcessNormalizer, type MessageNormalizer } from '../normalize/message-normalizer.js';
import { FakeClock } from '../lib/clock.js';
import { Metrics } from '../lib/metrics.js';
import { silentLogger } from '../lib/logger.js';
import { openTempChdb, type TempChdb } from '../test/infra/clickhouse-chdb.js';

let chdb: TempChdb;
before(async () => {
  chdb = await openTempChdb('warden_poison');
  await migrate(chdb.handle, { ttlDays: 3650 });
});
after(async () => {
  await chdb?.cleanup();
});

const NOW_NS = BigInt(Date.now()) * 1_000_000n;
const NS_PER_DAY = 86_400_000_000_000n;
let offset = 0;

interface SpanSpec {
  command: string;
  startNs?: bigint;
  attributes?: Record<string, string | number>;
}

function spanMessage(sessionId: string, specs: Array<string | SpanSpec>, encoding: 'otlp_proto' | 'otlp_json' = 'otlp_proto'): ConsumedMessage {
  const o = offset++;
  const spans: DecodedSpan[] = specs.map((spec, i) => {
    const { command, startNs = NOW_NS + BigInt(i), attributes = {} } = typeof spec === 'string' ? { command: spec } : spec;
    return {
      signal: 'traces',
      resource: { 'service.name': 'agent', 'session.id': sessionId },
      scope: { name: 'test', version: '1' },
      traceId: 'bb'.repeat(16),
      spanId: (o * 1000 + i + 1).toString(16).padStart(16, '0'),
      parentSpanId: '',
      name: 'execute_tool Bash',
      kind: 1,
      startTimeUnixNano: startNs.toString(),
      endTimeUnixNano: (startNs + 1000n).toString(),
      attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'Bash', 'gen_ai.tool.call.arguments': JSON.stringify({ command }), ...attributes },
      events: [],
      status: { code: 0, message: '' },
    };
  });
  return { signal: 'traces', encoding, key: sessionId, value: encodeOtlp('traces', spans, encoding), origin: { topic: 'otlp_spans', partition: 0, offset: String(o) } };
}

/** A consumer context that gives up after a few retries, so a batch retried forever fails the test instead of hanging it. */
function boundedContext(): BatchContext {
  let heartbeats = 0;
  return { heartbeat: async () => void heartbeats++, isStale: () => heartbeats >= 3 };
}

/** The in-process normalizer, with `change` applied to the events it produces (a normalizer bug, for the test). */
function tampered(change: (event: AuditEvent) => void): MessageNormalizer {
  const normalizer = createNormalizer({ classifier: createClassifier(), redactor: createRedactor() });
  const inner = inProcessNormalizer(normalizer);
  return {
    normalizeMessages: async (messages) => {
      const outcomes = await inner.normalizeMessages(messages);
      for (const outcome of outcomes) if ('events' in outcome) outcome.events.forEach(change);
      return outcomes;
    },
    close: async () => {},
  };
}

function setup(options: { messages?: MessageNormalizer; health?: StorageHealth; database?: string } = {}) {
  const metrics = new Metrics();
  const handle = options.database ? { ...chdb.handle, database: options.database } : chdb.handle;
  const store = new ClickHouseAuditStore(handle, { logger: silentLogger, metrics });
  const deadLetter = new MemoryDeadLetterSink({ logger: silentLogger, metrics });
  const normalizer = createNormalizer({ classifier: createClassifier(), redactor: createRedactor(), metrics });
  const process = createBatchProcessor({
    normalizer,
    ...(options.messages ? { messages: options.messages } : {}),
    ...(options.health ? { health: options.health } : {}),
    store,
    deadLetter,
    logger: silentLogger,
    metrics,
    retry: { initialMs: 1, maxMs: 2 },
  });
  /** Handles a batch and waits for its insert, as a consumer does before committing. */
  const handle_ = async (batch: ConsumedMessage[], ctx: BatchContext = boundedContext()): Promise<void> => {
    const receipt = await process(batch, ctx);
    await receipt?.stored;
  };
  return { metrics, deadLetter, handle: handle_ };
}

async function counter(metrics: Metrics, name: 'errors' | 'deadLettered', labels: Record<string, string>): Promise<number> {
  const { values } = await metrics[name].get();
  return values.filter((v) => Object.entries(labels).every(([k, want]) => v.labels[k as keyof typeof v.labels] === want)).reduce((n, v) => n + v.value, 0);
}

const count = (sessionId: string) => countEvents(chdb.handle, { sessionId });

test('defect 1: a JSON attribute holding a lone surrogate is stored (as U+FFFD, counted) with its batch, not redelivered forever', async () => {
  const { handle, metrics, deadLetter } = setup();
  const session = 'poison-surrogate';
  await handle([spanMessage(session, [{ command: 'ls', attributes: { note: 'half a pair: \ud800' } }, 'git status'], 'otlp_json'), spanMessage(session, ['pwd'])]);
  assert.equal(await count(session), 3);
  const rs = await chdb.handle.client.query({ query: `SELECT attributes FROM warden_poison.audit_events WHERE session_id = {s:String}`, query_params: { s: session }, format: 'JSONEachRow' });
  const rows = await rs.json<{ attributes: Record<string, string> }>();
  assert.ok(rows.some((e) => e.attributes.note === 'half a pair: \ufffd'), 'the surrogate replaced, the rest of the text kept');
  assert.equal(await counter(metrics, 'errors', { code: 'LONE_SURROGATE_REPLACED' }), 1);
  assert.equal(deadLetter.entries().length, 0);
});

test('defect 1, what is not known in advance: a row ClickHouse refuses is found by bisecting the insert and dead-lettered with the ClickHouse error; the rest is stored', async () => {
  const session = 'poison-bisect';
  // A normalizer bug lets a number through that the Int64 column cannot parse (written 1e+300).
  const messages = tampered((e) => {
    if (e.command === 'make poison') e.exit_code = 1e300;
  });
  const { handle, metrics, deadLetter } = setup({ messages });
  const batch = [spanMessage(session, ['ls', 'pwd', 'whoami']), spanMessage(session, ['make poison', 'git status']), spanMessage(session, ['echo a', 'echo b'])];
  await handle(batch);
  assert.equal(await count(session), 6, 'every innocent neighbour stored');
  const letters = deadLetter.entries();
  assert.equal(letters.length, 1);
  const { message, reason } = letters[0]!;
  assert.equal(reason.code, 'STORAGE_REJECTED');
  assert.match(reason.message, /CANNOT_PARSE/);
  assert.equal(message.origin.offset, batch[1]!.origin.offset, 'the origin of the message the row came from');
  assert.equal(message.headers?.['warden.session_id'], session);
  assert.equal(message.headers?.['warden.row.format'], 'JSONCompactEachRow');
  const row = JSON.parse(message.value.toString('utf8')) as unknown[];
  assert.equal(row[0], message.headers?.['warden.event_id'], 'the row bytes, starting with its event id');
  assert.equal(row[14], 'make poison');
  assert.equal(await counter(metrics, 'deadLettered', { code: 'STORAGE_REJECTED' }), 1);
  assert.equal(await counter(metrics, 'errors', { stage: 'store', code: 'CANNOT_PARSE_INPUT_ASSERTION_FAILED' }), 1);
});

test('defect 2: 150 spans on 150 different days in one batch are stored, not retried forever', async () => {
  const { handle, deadLetter } = setup();
  const session = 'poison-days';
  const specs = Array.from({ length: 150 }, (_, i) => ({ command: `echo ${i}`, startNs: NOW_NS - BigInt(i) * NS_PER_DAY }));
  await handle([spanMessage(session, specs.slice(0, 75)), spanMessage(session, specs.slice(75))]);
  assert.equal(await count(session), 150);
  assert.equal(deadLetter.entries().length, 0);
});

test('defect 2, on the in-process transport: a 150-day batch does not stall the queue, and a stop leaves nothing accepted unstored', async () => {
  const metrics = new Metrics();
  const store = new ClickHouseAuditStore(chdb.handle, { logger: silentLogger, metrics });
  const deadLetter = new MemoryDeadLetterSink({ logger: silentLogger, metrics });
  const normalizer = createNormalizer({ classifier: createClassifier(), redactor: createRedactor(), metrics });
  const process = createBatchProcessor({ normalizer, store, deadLetter, logger: silentLogger, metrics, retry: { initialMs: 1, maxMs: 2 } });
  // On the old path the stalled batch held everything behind it until the stop gave up (after
  // the drain timeout) and dropped what was queued. The drain is a ceiling, not a speed claim:
  // 150 day partitions take embedded ClickHouse a second or two.
  const transport = createMemoryTransport({ capacity: 1_000, maxBatchMessages: 4, drainTimeoutMs: 20_000, retryBackoff: { initialMs: 5, maxMs: 20 }, logger: silentLogger, metrics });
  await transport.consumer.start(process);
  const specs = Array.from({ length: 150 }, (_, i) => ({ command: `echo ${i}`, startNs: NOW_NS - BigInt(i) * NS_PER_DAY }));
  const sent = [spanMessage('stop-days', specs)];
  for (let i = 0; i < 20; i++) sent.push(spanMessage(`stop-after-${i % 4}`, ['ls', 'pwd']));
  await transport.producer.send(sent.map(({ origin: _origin, ...m }) => m));
  await transport.consumer.stop();
  await transport.close?.();
  assert.equal(await count('stop-days'), 150);
  let after = 0;
  for (let i = 0; i < 4; i++) after += await count(`stop-after-${i}`);
  assert.equal(after, 40, 'every request accepted behind the 150-day batch stored before the stop returned');
  assert.equal(deadLetter.entries().length, 0);
});

test('defect 3: an event storage refuses to prepare is dead-lettered alone; its neighbours in the batch are stored and the receipt resolves', async () => {
  const session = 'poison-prepare';
  const messages = tampered((e) => {
    if (e.command === 'bad time') e.time_ns = '99999999999999999999';
  });
  const { handle, metrics, deadLetter } = setup({ messages });
  const batch = [spanMessage(session, ['ls', 'bad time', 'pwd']), spanMessage(session, ['git status'])];
  await handle(batch);
  assert.equal(await count(session), 3);
  const letters = deadLetter.entries();
  assert.equal(letters.length, 1);
  assert.equal(letters[0]!.reason.code, 'INVALID_EVENT');
  assert.equal(letters[0]!.message.origin.offset, batch[0]!.origin.offset);
  assert.equal((JSON.parse(letters[0]!.message.value.toString()) as AuditEvent).command, 'bad time');
  assert.equal(await counter(metrics, 'errors', { stage: 'prepare', code: 'INVALID_EVENT' }), 1);
});

test('defect 4: a span timed past 2106 (where the TTL wraps) is refused and counted, never stored to be deleted', async () => {
  const { handle, metrics } = setup();
  const session = 'poison-2200';
  const year2200 = 7_258_118_400_000_000_000n;
  await handle([spanMessage(session, ['ls', { command: 'from the future', startNs: year2200 }])]);
  assert.equal(await count(session), 1);
  assert.equal(await counter(metrics, 'errors', { stage: 'normalize', code: 'INVALID_EVENT' }), 1);
});

test('defect 5: an exit code past Int32 is stored exactly', async () => {
  const { handle } = setup();
  const session = 'poison-exit';
  await handle([spanMessage(session, [{ command: 'false', attributes: { 'process.exit.code': 4294967297 } }])]);
  const rs = await chdb.handle.client.query({ query: `SELECT exit_code FROM warden_poison.audit_events WHERE session_id = {s:String}`, query_params: { s: session }, format: 'JSONEachRow' });
  assert.deepEqual((await rs.json<{ exit_code: string | number }>()).map((r) => Number(r.exit_code)), [4294967297]);
});

test('storage health: a partition whose inserts keep failing is reported stalled past the bound, and recovers with the first store', async () => {
  const clock = new FakeClock();
  const health = new StorageHealth({ clock, maxFailingMs: 15_000 });
  // A database that does not exist: ClickHouse refuses the statement (not the rows), every time.
  const broken = setup({ health, database: 'warden_poison_missing' });
  const batch = [spanMessage('poison-stalled', ['ls'])];
  await assert.rejects(broken.handle(batch));
  assert.equal(broken.deadLetter.entries().length, 0, 'no row is blamed for a statement error');
  health.check();
  clock.advance(16_000);
  await assert.rejects(broken.handle(batch));
  assert.throws(() => health.check(), /otlp_spans:0 has not stored for 16 s/);
  const fixed = setup({ health });
  await fixed.handle(batch);
  health.check();
  assert.equal(await count('poison-stalled'), 1);
});

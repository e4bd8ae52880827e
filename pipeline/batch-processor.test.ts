/**
 * The batch processor over the real pieces — OTLP decoder, normalizer with the real classifier
 * and redactor, embedded ClickHouse — with faults injected where the test needs them: storage
 * refusing inserts for a while, and poison messages.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createBatchProcessor, OBSERVE_CHUNK } from './batch-processor.js';
import { createNormalizer } from '../normalize/index.js';
import { createClassifier } from '../normalize/classify/index.js';
import { createRedactor } from '../normalize/redact/index.js';
import { decodeOtlp, encodeOtlp } from '../decode/otlp/index.js';
import type { DecodedSpan } from '../decode/otlp/records.js';
import { ClickHouseAuditStore, countEvents, migrate } from '../store/index.js';
import type { AuditStore, InsertEventsOptions } from '../store/storage.js';
import type { PreparedRows } from '../store/prepared-rows.js';
import type { AuditEvent } from '../model/audit-event.js';
import { MemoryDeadLetterSink } from '../receive/transport/memory.js';
import type { BatchContext, ConsumedMessage } from '../receive/transport/transport.js';
import { Metrics } from '../lib/metrics.js';
import { silentLogger } from '../lib/logger.js';
import { RetryableError } from '../lib/errors.js';
import { WorkerNormalizer } from '../normalize/worker/worker-normalizer.js';
import { inProcessNormalizer, type MessageNormalizer } from '../normalize/message-normalizer.js';
import { openTempChdb, type TempChdb } from '../test/infra/clickhouse-chdb.js';
import { waitFor } from '../test/helpers/wait-for.js';

let chdb: TempChdb;
before(async () => {
  chdb = await openTempChdb('warden_batch');
  await migrate(chdb.handle, { ttlDays: 3650 });
});
after(async () => {
  await chdb?.cleanup();
});

const NOW_NS = BigInt(Date.now()) * 1_000_000n;
let offset = 0;

function spanMessage(sessionId: string, commands: string[]): ConsumedMessage {
  const spans: DecodedSpan[] = commands.map((command, i) => ({
    signal: 'traces',
    resource: { 'service.name': 'agent', 'session.id': sessionId },
    scope: { name: 'test', version: '1' },
    traceId: 'aa'.repeat(16),
    spanId: (offset * 100 + i + 1).toString(16).padStart(16, '0'),
    parentSpanId: '',
    name: 'execute_tool Bash',
    kind: 1,
    startTimeUnixNano: (NOW_NS + BigInt(i)).toString(),
    endTimeUnixNano: (NOW_NS + BigInt(i) + 1000n).toString(),
    attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'Bash', 'gen_ai.tool.call.arguments': JSON.stringify({ command }) },
    events: [],
    status: { code: 0, message: '' },
  }));
  const o = offset++;
  return {
    signal: 'traces',
    encoding: 'otlp_proto',
    key: sessionId,
    value: encodeOtlp('traces', spans, 'otlp_proto'),
    origin: { topic: 'otlp_spans', partition: 0, offset: String(o) },
  };
}

const liveContext: BatchContext = { heartbeat: async () => {}, isStale: () => false };

/** A real store behind a switch that makes it refuse inserts the way a down server does. */
class FlakyStore implements AuditStore {
  down = 0;
  attempts = 0;
  readonly options: InsertEventsOptions[] = [];
  constructor(private readonly inner: AuditStore) {}
  async insertEvents(events: AuditEvent[], options: InsertEventsOptions = {}): Promise<void> {
    await this.insertRows(await this.prepareEvents(events), options);
  }
  prepareEvents(events: readonly AuditEvent[]): Promise<PreparedRows> {
    return this.inner.prepareEvents(events);
  }
  async insertRows(rows: PreparedRows, options: InsertEventsOptions = {}): Promise<void> {
    this.attempts++;
    this.options.push(options);
    if (this.down > 0) {
      this.down--;
      throw new RetryableError('STORAGE_UNAVAILABLE', 'connect ECONNREFUSED');
    }
    await this.inner.insertRows(rows, options);
  }
}

function setup() {
  const metrics = new Metrics();
  const store = new FlakyStore(new ClickHouseAuditStore(chdb.handle, { logger: silentLogger, metrics }));
  const deadLetter = new MemoryDeadLetterSink({ logger: silentLogger, metrics });
  const normalizer = createNormalizer({ classifier: createClassifier(), redactor: createRedactor(), metrics });
  const process = createBatchProcessor({ normalizer, store, deadLetter, logger: silentLogger, metrics, retry: { initialMs: 1, maxMs: 2 } });
  /** Handles a batch and waits for its background insert, as a consumer does before committing. */
  const handler = async (batch: ConsumedMessage[], ctx: BatchContext): Promise<void> => {
    const receipt = await process(batch, ctx);
    await receipt?.stored;
  };
  return { metrics, store, deadLetter, handler, process };
}

const count = (sessionId: string) => countEvents(chdb.handle, { sessionId });

test('a poison message is dead-lettered with its origin and the rest of the batch is stored', async () => {
  const { handler, deadLetter, metrics } = setup();
  const poison: ConsumedMessage = {
    signal: 'traces',
    encoding: 'otlp_proto',
    key: 'bp-poison',
    value: Buffer.from('this is not protobuf \xff\xff'),
    origin: { topic: 'otlp_spans', partition: 0, offset: '999' },
  };
  await handler([spanMessage('bp-poison', ['ls', 'rm -rf build']), poison, spanMessage('bp-poison', ['git status'])], liveContext);
  assert.equal(await count('bp-poison'), 3);
  const letters = deadLetter.entries();
  assert.equal(letters.length, 1);
  assert.equal(letters[0]!.message.origin.offset, '999');
  assert.match(letters[0]!.reason.code, /^OTLP_/);
  const counted = (await metrics.deadLettered.get()).values.reduce((sum, v) => sum + v.value, 0);
  assert.equal(counted, 1);
});

test('while storage is down the batch is held and retried, then stored once', async () => {
  const { handler, store, metrics } = setup();
  store.down = 4;
  let heartbeats = 0;
  await handler([spanMessage('bp-down', ['kubectl delete ns staging', 'terraform destroy'])], {
    heartbeat: async () => void heartbeats++,
    isStale: () => false,
  });
  assert.equal(store.attempts, 5);
  assert.equal(heartbeats, 4);
  assert.equal(await count('bp-down'), 2);
  assert.equal((await metrics.storagePaused.get()).values[0]!.value, 0);
  // After a failure the insert checks for rows already stored (a crash may have split the batch).
  assert.equal(store.options.at(-1)!.checkExisting, true);
});

test('redelivery of an already stored batch stores nothing twice', async () => {
  const { handler } = setup();
  const message = spanMessage('bp-redeliver', ['rm -rf /tmp/x', 'echo hi', 'git push --force origin main']);
  await handler([message], liveContext);
  const fresh = setup();
  await fresh.handler([message, spanMessage('bp-redeliver', ['ls'])], liveContext);
  assert.equal(await count('bp-redeliver'), 4);
});

test('the handler hands back a receipt before the insert is done: detection never waits on storage', async () => {
  const { process, store } = setup();
  store.down = Number.MAX_SAFE_INTEGER;
  let heartbeats = 0;
  const receipt = await process([spanMessage('bp-receipt', ['ls'])], { heartbeat: async () => void heartbeats++, isStale: () => false });
  assert.ok(receipt, 'a receipt');
  await waitFor(async () => store.attempts, (n) => n >= 2, { what: 'the insert to be tried while storage is down' });
  assert.equal(await count('bp-receipt'), 0);
  store.down = 0;
  await receipt.stored;
  assert.equal(await count('bp-receipt'), 1);
  assert.ok(heartbeats >= 1);
});

test('consecutive batches of a partition are gathered into one insert', async () => {
  const { process, store } = setup();
  const receipts = [];
  // As many batches as the default bound of batches in flight (DEFAULT_INSERT_GATHERING.maxBatches).
  for (let i = 0; i < 4; i++) receipts.push(await process([spanMessage('bp-gather', ['ls', 'git status'])], liveContext));
  await Promise.all(receipts.map((r) => r?.stored));
  assert.equal(await count('bp-gather'), 8);
  assert.equal(store.attempts, 1, 'one insert for four small batches');
});

test('a consumer that is stopping gets the storage error back instead of an endless retry', async () => {
  const { handler, store } = setup();
  store.down = 1_000;
  let stale = false;
  await assert.rejects(
    handler([spanMessage('bp-stale', ['ls'])], {
      heartbeat: async () => {
        stale = true;
      },
      isStale: () => stale,
    }),
    (err: unknown) => err instanceof RetryableError,
  );
  assert.equal(await count('bp-stale'), 0);
});

test('on the normalize worker: stored the same way, and a dead worker fails the batch (redelivered), nothing dead-lettered', async () => {
  const metrics = new Metrics();
  const store = new ClickHouseAuditStore(chdb.handle, { logger: silentLogger, metrics });
  const deadLetter = new MemoryDeadLetterSink({ logger: silentLogger, metrics });
  const normalizer = createNormalizer({ classifier: createClassifier(), redactor: createRedactor() });
  const worker = new WorkerNormalizer({ logger: silentLogger, metrics });
  try {
    const process = createBatchProcessor({ normalizer, messages: worker, store, deadLetter, logger: silentLogger, metrics });
    const receipt = await process([spanMessage('bp-worker', ['ls', 'rm -rf /tmp/x', 'git status'])], liveContext);
    await receipt?.stored;
    assert.equal(await count('bp-worker'), 3);
    await worker.close();
    // With the worker the call returns its receipt at once (batches take turns at detection):
    // the failure rejects the receipt's `stored`, which the transport redelivers like a rejected call.
    const failed = (async () => (await process([spanMessage('bp-worker-2', ['ls'])], liveContext))?.stored)();
    await assert.rejects(failed, (err: unknown) => err instanceof RetryableError);
    assert.equal(deadLetter.entries().length, 0);
    assert.equal(await count('bp-worker-2'), 0);
  } finally {
    await worker.close();
  }
});

/** A batch processor whose one observer records each chunk's size and whether the event loop took a turn before it. */
function chunkRecorder(slices?: { messages: number; bytes: number }) {
  const metrics = new Metrics();
  const store = new ClickHouseAuditStore(chdb.handle, { logger: silentLogger, metrics });
  const deadLetter = new MemoryDeadLetterSink({ logger: silentLogger, metrics });
  const normalizer = createNormalizer({ classifier: createClassifier(), redactor: createRedactor() });
  const chunks: number[] = [];
  const turnsBetween: boolean[] = [];
  let turned = false;
  const observer = {
    consume: async (events: AuditEvent[]) => {
      turnsBetween.push(turned);
      chunks.push(events.length);
      turned = false;
      setImmediate(() => (turned = true)); // runs only if the event loop gets a turn before the next chunk
    },
  };
  const process = createBatchProcessor({ normalizer, store, deadLetter, observers: [observer], logger: silentLogger, metrics, ...(slices ? { slices } : {}) });
  return { process, chunks, turnsBetween };
}

test('observers get a large slice in chunks, with a turn of the event loop between them (a gate call waits for one chunk, not the slice)', async () => {
  const { process, chunks, turnsBetween } = chunkRecorder();
  const commands = Array.from({ length: OBSERVE_CHUNK * 2 + 10 }, (_, i) => `echo ${i}`);
  const receipt = await process([spanMessage('bp-chunks', commands)], liveContext);
  await receipt?.stored;
  assert.deepEqual(chunks, [OBSERVE_CHUNK, OBSERVE_CHUNK, 10]);
  assert.deepEqual(turnsBetween, [false, true, true]);
  assert.equal(await count('bp-chunks'), commands.length);
});

test("a slice's first chunk also waits for a turn of the event loop: slices detected one after another do not hold it between them", async () => {
  // Three slices of two small messages, one chunk each.
  const { process, chunks, turnsBetween } = chunkRecorder({ messages: 2, bytes: 1024 * 1024 });
  const batch = Array.from({ length: 6 }, (_, i) => spanMessage('bp-slice-turns', [`echo ${i}`]));
  const receipt = await process(batch, liveContext);
  await receipt?.stored;
  assert.deepEqual(chunks, [2, 2, 2]);
  assert.deepEqual(turnsBetween.slice(1), [true, true]);
  assert.equal(await count('bp-slice-turns'), 6);
});

test('on the worker, the next batch is decoded while this one is detected; detection keeps the order', async () => {
  const metrics = new Metrics();
  const store = new ClickHouseAuditStore(chdb.handle, { logger: silentLogger, metrics });
  const deadLetter = new MemoryDeadLetterSink({ logger: silentLogger, metrics });
  const normalizer = createNormalizer({ classifier: createClassifier(), redactor: createRedactor() });
  const worker = new WorkerNormalizer({ logger: silentLogger, metrics });
  // The real worker, with the sessions of the batches it is handed recorded.
  const handed: string[] = [];
  const recording: MessageNormalizer = {
    concurrent: true,
    normalizeMessages: (batch) => {
      handed.push(...batch.map((m) => m.key!));
      return worker.normalizeMessages(batch);
    },
    close: () => worker.close(),
  };
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let entered!: () => void;
  const detecting = new Promise<void>((resolve) => (entered = resolve));
  const seen: string[] = [];
  const observer = {
    consume: async (events: AuditEvent[]) => {
      seen.push(...events.map((e) => e.session_id));
      if (events.some((e) => e.session_id === 'bp-turns-1')) {
        entered();
        await released; // detection of the first batch is slow
      }
    },
  };
  try {
    const process = createBatchProcessor({ normalizer, messages: recording, store, deadLetter, observers: [observer], logger: silentLogger, metrics });
    const firstCall = process([spanMessage('bp-turns-1', ['ls', 'pwd'])], liveContext);
    await detecting;
    const returned = await Promise.race([firstCall.then(() => true), new Promise<boolean>((resolve) => setImmediate(() => resolve(false)))]);
    assert.equal(returned, true, 'the call returned its receipt while its batch is still being detected');
    const first = await firstCall;
    // The transport hands the next batch over as soon as the first call returned.
    const second = await process([spanMessage('bp-turns-2', ['git status'])], liveContext);
    assert.deepEqual(handed, ['bp-turns-1', 'bp-turns-2'], 'the second batch went to the worker while the first was being detected');
    assert.deepEqual(seen, ['bp-turns-1', 'bp-turns-1'], 'the second waits for its turn at detection');
    release();
    await Promise.all([first?.stored, second?.stored]);
    assert.deepEqual(seen, ['bp-turns-1', 'bp-turns-1', 'bp-turns-2']);
    assert.equal(await count('bp-turns-1'), 2);
    assert.equal(await count('bp-turns-2'), 1);
  } finally {
    release();
    await worker.close();
  }
});

test('a batch cut into slices (worker and in process): every event stored once, the poison in the middle dead-lettered', async () => {
  for (const where of ['worker', 'in process'] as const) {
    const metrics = new Metrics();
    const store = new ClickHouseAuditStore(chdb.handle, { logger: silentLogger, metrics });
    const deadLetter = new MemoryDeadLetterSink({ logger: silentLogger, metrics });
    const normalizer = createNormalizer({ classifier: createClassifier(), redactor: createRedactor() });
    const worker = where === 'worker' ? new WorkerNormalizer({ logger: silentLogger, metrics }) : undefined;
    const session = `bp-slices-${where.replace(' ', '-')}`;
    try {
      const seen: string[] = [];
      const process = createBatchProcessor({
        normalizer,
        ...(worker ? { messages: worker } : {}),
        store,
        deadLetter,
        observers: [{ consume: async (events) => void seen.push(...events.map((e) => e.command)) }],
        logger: silentLogger,
        metrics,
        slices: { bytes: 1_000_000, messages: 2 },
      });
      const poison: ConsumedMessage = { signal: 'traces', encoding: 'otlp_proto', key: session, value: Buffer.from('\xff\xff not protobuf'), origin: { topic: 'otlp_spans', partition: 3, offset: '42' } };
      const batch = [
        spanMessage(session, ['ls', 'pwd']),
        spanMessage(session, ['git status']),
        poison,
        spanMessage(session, ['rm -rf build']),
        spanMessage(session, ['terraform plan', 'echo done']),
      ];
      const receipt = await process(batch, liveContext);
      await receipt?.stored;
      assert.equal(await count(session), 6, where);
      assert.deepEqual(seen, ['ls', 'pwd', 'git status', 'rm -rf build', 'terraform plan', 'echo done'], `${where}: detection saw every event, in order`);
      assert.equal(deadLetter.entries().length, 1, where);
      assert.equal(deadLetter.entries()[0]!.message.origin.offset, '42');
    } finally {
      await worker?.close();
    }
  }
});

test('when decoding fails part-way through a batch, nothing of the batch is stored (it is delivered again whole)', async () => {
  const metrics = new Metrics();
  const store = new FlakyStore(new ClickHouseAuditStore(chdb.handle, { logger: silentLogger, metrics }));
  const deadLetter = new MemoryDeadLetterSink({ logger: silentLogger, metrics });
  const normalizer = createNormalizer({ classifier: createClassifier(), redactor: createRedactor() });
  const inProcess = inProcessNormalizer(normalizer);
  let calls = 0;
  // The second slice's decoding fails the way a dying worker fails it.
  const failingSecond: MessageNormalizer = {
    normalizeMessages: async (messages) => {
      if (++calls === 2) throw new RetryableError('NORMALIZE_WORKER_FAILED', 'worker exited');
      return inProcess.normalizeMessages(messages);
    },
    close: async () => {},
  };
  // One event is enough to start an insert at once: rows handed to storage would be inserted now.
  const insert = { maxEvents: 1, maxDelayMs: 0 };
  const process = createBatchProcessor({ normalizer, messages: failingSecond, store, deadLetter, logger: silentLogger, metrics, insert, slices: { bytes: 1_000_000, messages: 1 } });
  const batch = [spanMessage('bp-partway', ['ls']), spanMessage('bp-partway', ['pwd']), spanMessage('bp-partway', ['whoami'])];
  await assert.rejects(process(batch, liveContext), (err: unknown) => err instanceof RetryableError);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(store.attempts, 0, 'no insert started for the failed batch');
  assert.equal(await count('bp-partway'), 0);
  const receipt = await process(batch, liveContext);
  await receipt?.stored;
  assert.equal(await count('bp-partway'), 3);
});

test('a record timed beyond what storage holds is refused and counted; its batch is stored and does not stall', async () => {
  const { handler, metrics, deadLetter } = setup();
  const base = spanMessage('bp-far-future', ['ls', 'git status']);
  const [good, far] = decodeOtlp('traces', base.value, 'otlp_proto') as DecodedSpan[];
  const value = encodeOtlp('traces', [good!, { ...far!, startTimeUnixNano: '18446744073709551615', endTimeUnixNano: '18446744073709551615' }], 'otlp_proto');
  await handler([{ ...base, value }], liveContext);
  assert.equal(await count('bp-far-future'), 1);
  assert.equal(deadLetter.entries().length, 0);
  const refused = (await metrics.errors.get()).values.find((v) => v.labels.code === 'INVALID_EVENT');
  assert.equal(refused?.value, 1);
});

test('an insert is made once the transport\'s bound of batches in flight has joined it, not only after the delay (a partition would otherwise get that many batches per delay)', { timeout: 30_000 }, async () => {
  const metrics = new Metrics();
  const store = new ClickHouseAuditStore(chdb.handle, { logger: silentLogger, metrics });
  const deadLetter = new MemoryDeadLetterSink({ logger: silentLogger, metrics });
  const normalizer = createNormalizer({ classifier: createClassifier(), redactor: createRedactor() });
  // A delay far past the test's timeout: only the batch bound can make these inserts.
  const process = createBatchProcessor({ normalizer, store, deadLetter, logger: silentLogger, metrics, insert: { maxEvents: 5_000, maxDelayMs: 600_000, maxBatches: 2 } });
  const first = await process([spanMessage('bp-bound', ['ls'])], liveContext);
  const second = await process([spanMessage('bp-bound', ['git status'])], liveContext);
  await Promise.all([first?.stored, second?.stored]);
  assert.equal(await count('bp-bound'), 2);
});

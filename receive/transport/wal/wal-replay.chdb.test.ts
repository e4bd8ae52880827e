/**
 * Replay from the write-ahead log into real storage (chdb) through the real batch processor:
 * messages already stored but whose commit the log never recorded (the crash came between the
 * insert and the commit record, or the record was lost) are delivered again after a restart,
 * across many inserts — and each event is still stored once, because replayed messages are
 * marked `redelivered` and every insert holding one checks which event ids ClickHouse has.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createBatchProcessor } from '../../../pipeline/batch-processor.js';
import { createNormalizer } from '../../../normalize/index.js';
import { createClassifier } from '../../../normalize/classify/index.js';
import { createRedactor } from '../../../normalize/redact/index.js';
import { encodeOtlp } from '../../../decode/otlp/index.js';
import { ClickHouseAuditStore, migrate } from '../../../store/index.js';
import { createMemoryTransport, MemoryDeadLetterSink, type MemoryTransport } from '../memory.js';
import { Metrics } from '../../../lib/metrics.js';
import { silentLogger } from '../../../lib/logger.js';
import { systemClock } from '../../../lib/clock.js';
import { openTempChdb, type TempChdb } from '../../../test/infra/clickhouse-chdb.js';
import { toolSpan } from '../../../test/helpers/tool-span.js';

let chdb: TempChdb;
let dir: string;
before(async () => {
  chdb = await openTempChdb('warden_wal_replay');
  await migrate(chdb.handle, { ttlDays: 3650 });
  // audit_events is a ReplacingMergeTree: a background merge would hide a duplicate from count().
  await chdb.handle.client.command({ query: `SYSTEM STOP MERGES ${chdb.handle.database}.audit_events` });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-wal-replay-'));
});
after(async () => {
  await chdb?.cleanup();
  fs.rmSync(dir, { recursive: true, force: true });
});

const REQUESTS = 60;
const SPANS = 10;

/** A transport on the log directory and a fresh batch processor (a new process) consuming it into chdb. */
async function run(transport: MemoryTransport, expected: number): Promise<void> {
  const metrics = new Metrics();
  const normalizer = createNormalizer({ classifier: createClassifier(), redactor: createRedactor(), metrics, clock: systemClock });
  const store = new ClickHouseAuditStore(chdb.handle, { logger: silentLogger, metrics });
  // Small inserts: the replay spans many of them, as a large backlog would.
  const handler = createBatchProcessor({ normalizer, store, deadLetter: new MemoryDeadLetterSink({ logger: silentLogger, metrics }), logger: silentLogger, metrics, insert: { maxEvents: 40, maxDelayMs: 5 } });
  let handled = 0;
  let done!: () => void;
  const all = new Promise<void>((resolve) => (done = resolve));
  await transport.consumer.start(async (batch, ctx) => {
    const receipt = await handler(batch, ctx);
    handled += batch.length;
    if (handled >= expected) done();
    return receipt;
  });
  await all;
  await transport.consumer.stop();
}

async function counts(): Promise<{ rows: number; events: number }> {
  const rs = await chdb.handle.client.query({ query: `SELECT count() AS rows, uniqExact(event_id) AS events FROM ${chdb.handle.database}.audit_events`, format: 'JSONEachRow' });
  const [row] = await rs.json<{ rows: string; events: string }>();
  return { rows: Number(row!.rows), events: Number(row!.events) };
}

test('messages stored but not recorded as committed are delivered again after a restart and not stored twice', async () => {
  // Batches cut differently on each run, as timing cuts them: inserts differ, so their
  // deduplication tokens cannot catch the repeat; only the stored-id check can.
  const open = (maxBatchMessages: number): MemoryTransport =>
    createMemoryTransport({ capacity: 10_000, maxBatchMessages, logger: silentLogger, metrics: new Metrics(), wal: { dir, fsync: 'always' } });
  const first = open(5);
  for (let i = 0; i < REQUESTS; i++) {
    const spans = Array.from({ length: SPANS }, (_, j) => toolSpan(`replay-${i % 7}`, `echo ${i}-${j}`));
    await first.producer.send([{ signal: 'traces', encoding: 'otlp_proto', key: `replay-${i % 7}`, value: encodeOtlp('traces', spans, 'otlp_proto') }]);
  }
  // The log as it is before anything is stored: a crash right after the inserts, before their
  // commits were recorded and the segments they emptied deleted, leaves it so.
  const beforeCommits = `${dir}-before-commits`;
  fs.cpSync(dir, beforeCommits, { recursive: true });
  await run(first, REQUESTS);
  await first.close();
  assert.deepEqual(await counts(), { rows: REQUESTS * SPANS, events: REQUESTS * SPANS });

  // The whole log is delivered again to a new process.
  fs.rmSync(dir, { recursive: true, force: true });
  fs.renameSync(beforeCommits, dir);
  const second = open(3);
  await run(second, REQUESTS);
  await second.close();
  assert.deepEqual(await counts(), { rows: REQUESTS * SPANS, events: REQUESTS * SPANS }, 'each event stored once');
});

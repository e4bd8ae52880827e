/**
 * Rows the engine could not take before, against embedded ClickHouse (chdb): text with lone
 * surrogates, a batch spanning more day partitions than one insert block may, exit codes past
 * Int32 (and the migration that widens an existing table), times past what the TTL can read.
 * Each was a permanent failure of the whole insert, a retry forever, or a silent wrong value.
 */
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PermanentError } from '../lib/errors.js';
import { silentLogger } from '../lib/logger.js';
import { Metrics } from '../lib/metrics.js';
import { makeEvent } from '../test/infra/clickhouse-events.js';
import { openTempChdb, type TempChdb } from '../test/infra/clickhouse-chdb.js';
import { ClickHouseAuditStore } from './audit-store.js';
import { DEFAULT_MIGRATIONS_DIR, migrate } from './migrations.js';
import { countEvents, eventsForSession } from './queries.js';

let chdb: TempChdb;
before(async () => {
  chdb = await openTempChdb('warden_poison_rows');
  await migrate(chdb.handle, { ttlDays: 3650 });
});
after(async () => {
  await chdb?.cleanup();
});

const NS_PER_DAY = 86_400_000_000_000n;
const NOW_NS = BigInt(Date.now()) * 1_000_000n;

function store(metrics = new Metrics()): ClickHouseAuditStore {
  return new ClickHouseAuditStore(chdb.handle, { logger: silentLogger, metrics });
}

async function errorCount(metrics: Metrics, code: string): Promise<number> {
  return (await metrics.errors.get()).values.filter((v) => v.labels.code === code).reduce((n, v) => n + v.value, 0);
}

describe('rows ClickHouse refused', () => {
  it('a lone surrogate in an attribute is stored as U+FFFD and counted; the insert does not fail', async () => {
    const metrics = new Metrics();
    const session = 'pr-surrogate';
    await store(metrics).insertEvents([
      makeEvent({ event_id: 'sur-1', session_id: session, attributes: { note: 'a\ud800b', 'key\udfff': 'v' } }),
      makeEvent({ event_id: 'sur-2', session_id: session, command: 'echo 😀' }),
    ]);
    const stored = await eventsForSession(chdb.handle, 'tenant-a', session);
    assert.equal(stored.length, 2);
    const first = stored.find((e) => e.event_id === 'sur-1')!;
    assert.deepEqual(first.attributes, { note: 'a\ufffdb', 'key\ufffd': 'v' });
    assert.equal(stored.find((e) => e.event_id === 'sur-2')!.command, 'echo 😀');
    assert.equal(await errorCount(metrics, 'LONE_SURROGATE_REPLACED'), 1);
  });

  it('150 spans on 150 different days store in one call (the insert is cut by day partition)', async () => {
    const session = 'pr-days';
    const events = Array.from({ length: 150 }, (_, i) =>
      makeEvent({ event_id: `day-${i}`, session_id: session, time_ns: (NOW_NS - BigInt(i) * NS_PER_DAY).toString() }),
    );
    await store().insertEvents(events);
    assert.equal(await countEvents(chdb.handle, { sessionId: session }), 150);
    // Stored again (a redelivery): the tokens of each day group drop every row.
    await store().insertEvents(events);
    const rs = await chdb.handle.client.query({
      query: `SELECT count() AS n, uniqExact(toDate(time)) AS days FROM warden_poison_rows.audit_events WHERE session_id = {s:String}`,
      query_params: { s: session },
      format: 'JSONEachRow',
    });
    assert.deepEqual(await rs.json(), [{ n: '150', days: '150' }]);
  });

  it('an exit code past Int32 is stored exactly (it used to wrap: 4294967297 read back as 1)', async () => {
    const session = 'pr-exit';
    await store().insertEvents([
      makeEvent({ event_id: 'exit-big', session_id: session, exit_code: 4294967297 }),
      makeEvent({ event_id: 'exit-neg', session_id: session, exit_code: -2147483649 }),
      makeEvent({ event_id: 'exit-max', session_id: session, exit_code: Number.MAX_SAFE_INTEGER }),
    ]);
    const stored = await eventsForSession(chdb.handle, 'tenant-a', session);
    assert.deepEqual(
      Object.fromEntries(stored.map((e) => [e.event_id, e.exit_code])),
      { 'exit-big': 4294967297, 'exit-neg': -2147483649, 'exit-max': Number.MAX_SAFE_INTEGER },
    );
  });

  it('the migration widens exit_code on a table created before it, keeping its rows', async () => {
    const handle = { ...chdb.handle, database: 'warden_poison_old' };
    await chdb.handle.client.command({ query: 'CREATE DATABASE IF NOT EXISTS warden_poison_old' });
    const oldDir = await mkdtemp(join(tmpdir(), 'warden-migrations-'));
    try {
      await copyFile(join(DEFAULT_MIGRATIONS_DIR, '001_audit_events.sql'), join(oldDir, '001_audit_events.sql'));
      await migrate(handle, { dir: oldDir, ttlDays: 3650 });
      const typeOf = async (): Promise<string> => {
        const rs = await handle.client.query({
          query: `SELECT type FROM system.columns WHERE database = 'warden_poison_old' AND table = 'audit_events' AND name = 'exit_code'`,
          format: 'JSONEachRow',
        });
        return ((await rs.json<{ type: string }>())[0]!).type;
      };
      assert.equal(await typeOf(), 'Nullable(Int32)');
      const old = new ClickHouseAuditStore(handle, { logger: silentLogger, metrics: new Metrics() });
      await old.insertEvents([makeEvent({ event_id: 'before', session_id: 'pr-old', exit_code: 137 })]);
      const result = await migrate(handle, { ttlDays: 3650 });
      assert.ok(result.applied.includes('021_exit_code_int64.sql'));
      assert.equal(await typeOf(), 'Nullable(Int64)');
      await old.insertEvents([makeEvent({ event_id: 'after', session_id: 'pr-old', exit_code: 4294967297 })]);
      const stored = await eventsForSession(handle, 'tenant-a', 'pr-old');
      assert.deepEqual(Object.fromEntries(stored.map((e) => [e.event_id, e.exit_code])), { before: 137, after: 4294967297 });
    } finally {
      await rm(oldDir, { recursive: true, force: true });
    }
  });

  it('a time within ttl_days of 2106-02-07 is kept by the TTL (its expiry is clamped), not deleted at the next merge', async () => {
    const session = 'pr-ttl-wrap';
    // The table keeps 3650 days: 2100-01-01 + 3650 days is past 2106, where DateTime wraps.
    const year2100 = '4102444800000000000';
    await store().insertEvents([makeEvent({ event_id: 'late', session_id: session, time_ns: year2100 })]);
    await chdb.handle.client.command({ query: `OPTIMIZE TABLE warden_poison_rows.audit_events PARTITION '2100-01-01' FINAL` });
    assert.equal(await countEvents(chdb.handle, { sessionId: session }), 1);
  });

  it('a time past 2106 (where the TTL wraps) is refused while preparing, with the reason; nothing is stored', async () => {
    const session = 'pr-2106';
    const year2200 = '7258118400000000000';
    await assert.rejects(store().insertEvents([makeEvent({ event_id: 'far', session_id: session, time_ns: year2200 })]), (err: unknown) => {
      assert.ok(err instanceof PermanentError);
      assert.equal(err.code, 'INVALID_EVENT');
      assert.match(err.message, /2106-02-07/);
      return true;
    });
    assert.equal(await countEvents(chdb.handle, { sessionId: session }), 0);
  });
});

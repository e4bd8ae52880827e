/**
 * The ClickHouse mirror against the embedded engine (chdb): appended records reach the
 * `revocations` table; a restart backfills records that never reached it without duplicating
 * the ones that did; an unavailable ClickHouse is retried on the injected schedule while the
 * log append has long returned; another instance's record that its origin never inserted (it
 * died) is inserted once, however many instances see it on the revocation topic.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { migrate } from './migrations.js';
import type { ClickHouseHandle } from './open-clickhouse.js';
import { FakeClock } from '../lib/clock.js';
import { RetryableError } from '../lib/errors.js';
import { silentLogger } from '../lib/logger.js';
import { Metrics } from '../lib/metrics.js';
import { openTempChdb, type TempChdb } from '../test/infra/clickhouse-chdb.js';
import { ClickHouseRevocationMirror, DEFAULT_MIRROR_GATHER_MS, DEFAULT_REMOTE_GRACE_MS } from './revocation-mirror.js';
import { RevocationLog } from '../respond/kill-switch/revocation-log.js';
import { ManualScheduler } from '../respond/kill-switch/schedule.js';

let chdb: TempChdb;
let dir: string;
before(async () => {
  chdb = await openTempChdb('warden_revocations_test');
  await migrate(chdb.handle);
  dir = await mkdtemp(join(tmpdir(), 'warden-mirror-'));
});
after(async () => {
  await chdb?.cleanup();
  await rm(dir, { recursive: true, force: true });
});

async function rows(tenant: string): Promise<Array<{ session_id: string; action: string; at: string; by: string; finding_id: string; hash: string }>> {
  const rs = await chdb.handle.client.query({
    query: `SELECT session_id, action, toString(at) AS at, by, finding_id, hash FROM ${chdb.handle.database}.revocations WHERE tenant = {tenant:String} ORDER BY at`,
    query_params: { tenant },
    format: 'JSONEachRow',
  });
  return rs.json();
}

const entry = (tenant: string, i: number, action: 'revoke' | 'reinstate' = 'revoke') => ({
  at: `2026-01-01T00:00:0${i}.12345678${i}Z`, tenant, session_id: `s${i}`, action, by: 'operator:kim', reason: `r${i}`, finding_id: i === 1 ? 'f1' : null,
});

describe('ClickHouseRevocationMirror (chdb)', () => {
  it('mirrors appended records with nanosecond times', async () => {
    const mirror = new ClickHouseRevocationMirror({ handle: chdb.handle, logger: silentLogger, metrics: new Metrics() });
    const log = await RevocationLog.open({ file: join(dir, 'a.log'), logger: silentLogger, mirror });
    const r1 = await log.append(entry('t-a', 1));
    const r2 = await log.append(entry('t-a', 2, 'reinstate'));
    await mirror.flush();
    await log.close();
    assert.deepEqual(await rows('t-a'), [
      { session_id: 's1', action: 'revoke', at: '2026-01-01 00:00:01.123456781', by: 'operator:kim', finding_id: 'f1', hash: r1.hash },
      { session_id: 's2', action: 'reinstate', at: '2026-01-01 00:00:02.123456782', by: 'operator:kim', finding_id: '', hash: r2.hash },
    ]);
  });

  it('backfills at start what never reached ClickHouse, without duplicates', async () => {
    const file = join(dir, 'b.log');
    const mirror1 = new ClickHouseRevocationMirror({ handle: chdb.handle, logger: silentLogger, metrics: new Metrics() });
    const log1 = await RevocationLog.open({ file, logger: silentLogger, mirror: mirror1 });
    await log1.append(entry('t-b', 1));
    await mirror1.flush();
    await log1.close();
    // Warden stopped before these reached ClickHouse (no mirror at all here).
    const log2 = await RevocationLog.open({ file, logger: silentLogger });
    await log2.append(entry('t-b', 2));
    await log2.append(entry('t-b', 3));
    await log2.close();
    const mirror3 = new ClickHouseRevocationMirror({ handle: chdb.handle, logger: silentLogger, metrics: new Metrics() });
    const log3 = await RevocationLog.open({ file, logger: silentLogger, mirror: mirror3 });
    await mirror3.flush();
    await log3.close();
    assert.deepEqual((await rows('t-b')).map((r) => r.session_id), ['s1', 's2', 's3']);
  });

  it('retries while ClickHouse is unavailable; the append does not wait for it', async () => {
    let failuresLeft = 3;
    const flaky: ClickHouseHandle = {
      ...chdb.handle,
      insertFormatted: async (p) => {
        if (failuresLeft-- > 0) throw new RetryableError('STORAGE_UNAVAILABLE', 'ClickHouse insert: unavailable: ECONNREFUSED');
        return chdb.handle.insertFormatted(p);
      },
    };
    const clock = new FakeClock();
    // Each timer's work settles before the next timer is due (a retry looks the batch up first).
    const scheduler = new ManualScheduler(clock, (): Promise<void> => mirror.idle());
    const metrics = new Metrics();
    const mirror: ClickHouseRevocationMirror = new ClickHouseRevocationMirror({ handle: flaky, logger: silentLogger, metrics, schedule: scheduler.schedule, random: () => 0.5 });
    const log = await RevocationLog.open({ file: join(dir, 'c.log'), logger: silentLogger, mirror });
    const appended = await log.append(entry('t-c', 1));
    assert.equal(appended.seq, 1);
    assert.equal(scheduler.pending().length, 1, 'the record waits for company');
    await scheduler.advance(DEFAULT_MIRROR_GATHER_MS);
    assert.deepEqual(await rows('t-c'), []);
    assert.equal(scheduler.pending().length, 1, 'a retry is scheduled');
    await scheduler.advance(10_000);
    await mirror.flush();
    await log.close();
    assert.deepEqual((await rows('t-c')).map((r) => r.hash), [appended.hash]);
    assert.match(await metrics.registry.metrics(), /warden_errors_total\{stage="revocation_mirror",code="STORAGE_UNAVAILABLE"\} 3/);
  });

  it("inserts another instance's record its origin never inserted, once, however many instances look", async () => {
    // Instance a: one record mirrored, then one it published but died before inserting.
    const mirrorA = new ClickHouseRevocationMirror({ handle: chdb.handle, logger: silentLogger, metrics: new Metrics() });
    const logA = await RevocationLog.open({ file: join(dir, 'd.log'), logger: silentLogger, mirror: mirrorA });
    const inserted = await logA.append(entry('t-d', 1));
    await mirrorA.flush();
    await logA.close();
    const [diedWith, diedWithToo] = await (async () => {
      const log = await RevocationLog.open({ file: join(dir, 'd.log'), logger: silentLogger });
      const r = [await log.append(entry('t-d', 2)), await log.append(entry('t-d', 3))];
      await log.close();
      return r;
    })();
    const died = [diedWith!, diedWithToo!].sort((a, b) => (a.at < b.at ? -1 : 1));
    // Instances b and c read both from the topic.
    const clock = new FakeClock();
    const open: ClickHouseRevocationMirror[] = [];
    // Timers fire one after another; the two look-ups then meet before either inserts (as when
    // both instances look at once), released together when the second arrives.
    const scheduler = new ManualScheduler(clock);
    let meet: { waiting: Array<() => void> } | undefined = { waiting: [] };
    const client = new Proxy(chdb.handle.client, {
      get(target, key, receiver) {
        const value: unknown = Reflect.get(target, key, receiver);
        if (key !== 'query' || typeof value !== 'function') return value;
        return async (...args: unknown[]) => {
          const together = meet;
          if (together && String((args[0] as { query: string }).query).includes('DISTINCT hash')) {
            await new Promise<void>((resolve) => {
              together.waiting.push(resolve);
              if (together.waiting.length === 2) for (const go of together.waiting) go();
            });
          }
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const handle: ClickHouseHandle = { ...chdb.handle, client };
    const settled = async (): Promise<void> => {
      for (const m of open) await m.idle();
    };
    const mirrorOf = (): ClickHouseRevocationMirror => {
      const m = new ClickHouseRevocationMirror({ handle, logger: silentLogger, metrics: new Metrics(), schedule: scheduler.schedule });
      open.push(m);
      return m;
    };
    const mirrors = [mirrorOf(), mirrorOf()];
    // Each reads them in its own order (two partitions, say).
    for (const r of [inserted, diedWith!, diedWithToo!]) mirrors[0]!.addRemote(r);
    for (const r of [diedWithToo!, inserted, diedWith!]) mirrors[1]!.addRemote(r);
    await scheduler.advance(DEFAULT_REMOTE_GRACE_MS);
    await settled();
    assert.deepEqual((await rows('t-d')).map((r) => r.hash), [inserted.hash], 'within the grace, the origin is left to insert its own');
    await scheduler.advance(DEFAULT_REMOTE_GRACE_MS);
    await settled();
    for (const m of mirrors) await m.flush();
    meet = undefined;
    assert.deepEqual((await rows('t-d')).map((r) => r.hash), [inserted.hash, ...died.map((r) => r.hash)]);
    // Seen again (another start reads the topic from its beginning): still one copy each.
    const again = mirrorOf();
    again.addRemote(diedWith!);
    again.addRemote(inserted);
    await scheduler.advance(2 * DEFAULT_REMOTE_GRACE_MS);
    await settled();
    await again.flush();
    for (const m of open) m.close();
    assert.deepEqual((await rows('t-d')).map((r) => r.hash), [inserted.hash, ...died.map((r) => r.hash)]);
  });

  it('a batch that failed is looked up before it is tried again: what landed meanwhile is not inserted twice', async () => {
    let failuresLeft = 1;
    const landedAnyway: ClickHouseHandle = {
      ...chdb.handle,
      insertFormatted: async (p) => {
        const result = await chdb.handle.insertFormatted(p);
        // The insert landed, but its answer was lost (a timeout, a dropped connection).
        if (failuresLeft-- > 0) throw new RetryableError('STORAGE_UNAVAILABLE', 'ClickHouse insert: unavailable: ECONNRESET');
        return result;
      },
    };
    const clock = new FakeClock();
    const scheduler = new ManualScheduler(clock, (): Promise<void> => mirror.idle());
    const mirror: ClickHouseRevocationMirror = new ClickHouseRevocationMirror({ handle: landedAnyway, logger: silentLogger, metrics: new Metrics(), schedule: scheduler.schedule, random: () => 0.5 });
    const log = await RevocationLog.open({ file: join(dir, 'e.log'), logger: silentLogger, mirror });
    const r1 = await log.append(entry('t-e', 1));
    await scheduler.advance(DEFAULT_MIRROR_GATHER_MS);
    // Meanwhile a second record joins the queue, behind the one whose answer was lost.
    const r2 = await log.append(entry('t-e', 2));
    await scheduler.advance(10_000);
    await mirror.flush();
    await log.close();
    assert.deepEqual((await rows('t-e')).map((r) => r.hash), [r1.hash, r2.hash]);
  });
});

/**
 * The storage suite every ClickHouse engine must pass: the same assertions run against embedded
 * chdb and against a ClickHouse server in a container. Call it inside a `describe` whose `before`
 * opened and migrated the handle; each test writes under its own tenant, so tests share one
 * database without seeing each other's rows.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { AuditEvent } from '../../model/audit-event.js';
import { ClickHouseAuditStore } from '../../store/audit-store.js';
import type { ClickHouseHandle } from '../../store/open-clickhouse.js';
import { countEvents, eventsForSession } from '../../store/queries.js';
import { PermanentError } from '../../lib/errors.js';
import { silentLogger } from '../../lib/logger.js';
import { Metrics } from '../../lib/metrics.js';
import { makeBatch, makeEvent } from './clickhouse-events.js';

const DAY_NS = 86_400_000_000_000n;

export interface StoreSuiteOptions {
  /** Engine name for the insert-rate line. */
  label: string;
  /** Events inserted by the rate test (0 skips it). */
  bulkEvents?: number;
  bulkBatchSize?: number;
}

function byTime(a: AuditEvent, b: AuditEvent): number {
  return a.time_ns === b.time_ns ? a.event_id.localeCompare(b.event_id) : a.time_ns < b.time_ns ? -1 : 1;
}

async function counterTotal(metrics: Metrics, name: 'sent' | 'errors'): Promise<number> {
  const { values } = await metrics[name].get();
  return values.reduce((sum, v) => sum + v.value, 0);
}

export function clickhouseStoreSuite(getHandle: () => ClickHouseHandle, options: StoreSuiteOptions): void {
  const store = (metrics = new Metrics()): ClickHouseAuditStore =>
    new ClickHouseAuditStore(getHandle(), { logger: silentLogger, metrics });

  it('reads back every field exactly', async () => {
    const tenant = 't-roundtrip';
    const events = [
      makeEvent({
        event_id: 'rt-1',
        tenant,
        time_ns: '1763740800123456789',
        end_time_ns: '1763740800999999999',
        observed_ns: '1763740801000000001',
        attributes: { 'http.method': 'POST', 'quote "and" \\ back': 'line\nbreak ü 💥', '': 'empty key' },
        exit_code: null,
        command: "psql -c 'DROP TABLE users;' -- ünïcode",
        targets: ['db:users', 'host:prod-1'],
        rule_ids: ['sql-drop', 'prod-target'],
        scope_allow: [],
        scope_deny: ['db:*'],
      }),
      makeEvent({
        event_id: 'rt-2',
        tenant,
        signal: 'logs',
        phase: 'intent',
        decision: 'accept',
        status: 'error',
        exit_code: 0,
        error_type: 'ExitError',
        destructive: false,
        reversible: true,
        severity: 'none',
        targets: [],
        rule_ids: [],
        time_ns: '1763740800123456790',
        end_time_ns: '0',
        observed_ns: '1',
        redactions: 3,
      }),
      makeEvent({ event_id: 'rt-3', tenant, exit_code: -1, time_ns: '1893456000000000001', attributes: { a: '' } }),
    ];
    await store().insertEvents(events);
    const back = await eventsForSession(getHandle(), tenant, 'sess-1');
    assert.deepEqual(back, [...events].sort(byTime));
  });

  it('stores a retried batch once, in any order, across partitions', async () => {
    const tenant = 't-retry';
    const batch = makeBatch({ tenant, count: 200, stepNs: DAY_NS / 100n }); // spans 2-3 days
    const s = store();
    await s.insertEvents(batch);
    await s.insertEvents(batch);
    await s.insertEvents([...batch].reverse());
    assert.equal(await countEvents(getHandle(), { tenant }), 200);
  });

  it('keeps one row when a batch holds the same event twice', async () => {
    const tenant = 't-dup-in-batch';
    const [a, b] = makeBatch({ tenant, count: 2 });
    await store().insertEvents([a!, b!, { ...a!, command: 'later copy' }]);
    assert.equal(await countEvents(getHandle(), { tenant }), 2);
    const back = await eventsForSession(getHandle(), tenant, 'sess-1');
    assert.equal(back.find((e) => e.event_id === a!.event_id)?.command, 'later copy');
  });

  it('with checkExisting, stores only the part of a re-composed batch not yet stored', async () => {
    const tenant = 't-redeliver';
    const all = makeBatch({ tenant, count: 1000 });
    const other = makeBatch({ tenant, sessionId: 'sess-2', count: 300, prefix: 'other' });
    const s = store();
    await s.insertEvents(all.filter((_, i) => i % 2 === 0)); // what got stored before the crash
    await s.insertEvents([...all, ...other], { checkExisting: true });
    assert.equal(await countEvents(getHandle(), { tenant }), 1300);
    assert.equal(await countEvents(getHandle(), { tenant, sessionId: 'sess-1' }), 1000);
    await s.insertEvents([...other, ...all.slice(0, 10)], { checkExisting: true });
    assert.equal(await countEvents(getHandle(), { tenant }), 1300);
  });

  it('leaves the event loop turns between the steps before an insert (detection runs on the same thread)', async () => {
    const handle = getHandle();
    let turns = 0;
    let turnsAtInsert = -1;
    const watched: ClickHouseHandle = {
      ...handle,
      insertFormatted: (params) => {
        turnsAtInsert = turns;
        return handle.insertFormatted(params);
      },
    };
    const s = new ClickHouseAuditStore(watched, { logger: silentLogger, metrics: new Metrics() });
    const rows = await s.prepareEvents(makeBatch({ tenant: 't-turns', count: 50 }));
    let ticking = true;
    const tick = (): void => {
      turns++;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    await s.insertRows(rows);
    ticking = false;
    // One turn after the duplicates' check, one after the token: the body is copied in a third.
    assert.ok(turnsAtInsert >= 2, `the insert was sent after ${turnsAtInsert} turns of the event loop`);
    assert.equal(await countEvents(handle, { tenant: 't-turns' }), 50);
  });

  it('counts events sent and observes insert time', async () => {
    const metrics = new Metrics();
    await store(metrics).insertEvents(makeBatch({ tenant: 't-metrics', count: 10 }));
    await store(metrics).insertEvents([]);
    assert.equal(await counterTotal(metrics, 'sent'), 10);
    const { values } = await metrics.sent.get();
    assert.deepEqual(
      values.map((v) => [v.labels.stage, v.labels.signal, v.value]).sort(),
      [['clickhouse', 'logs', 5], ['clickhouse', 'traces', 5]],
    );
    const hist = await metrics.insertSeconds.get();
    assert.equal(hist.values.find((v) => v.metricName?.endsWith('_count'))?.value, 1);
  });

  it('rejects an event whose time is not decimal nanoseconds, permanently, and counts it', async () => {
    const metrics = new Metrics();
    const bad = makeEvent({ event_id: 'bad-1', tenant: 't-bad', time_ns: '1.7e18' });
    await assert.rejects(store(metrics).insertEvents([bad]), (err: unknown) => {
      assert.ok(err instanceof PermanentError);
      assert.equal(err.code, 'INVALID_EVENT');
      return true;
    });
    assert.equal(await counterTotal(metrics, 'errors'), 1);
    assert.equal(await countEvents(getHandle(), { tenant: 't-bad' }), 0);
  });

  it('reports a statement ClickHouse rejects as PermanentError STORAGE_REJECTED', async () => {
    const missing: ClickHouseHandle = { ...getHandle(), database: 'warden_no_such_db' };
    const rejected = (err: unknown): boolean => {
      assert.ok(err instanceof PermanentError, `expected PermanentError, got ${String(err)}`);
      assert.equal(err.code, 'STORAGE_REJECTED');
      assert.equal(err.details.clickhouse_type, 'UNKNOWN_DATABASE');
      return true;
    };
    await assert.rejects(countEvents(missing), rejected);
    await assert.rejects(
      new ClickHouseAuditStore(missing, { logger: silentLogger, metrics: new Metrics() }).insertEvents([makeEvent()]),
      rejected,
    );
  });

  it('has the sessions, findings and revocations tables', async () => {
    const h = getHandle();
    const at = '2025-11-21 16:00:00.123456789';
    await h.client.insert({
      table: `${h.database}.sessions`,
      format: 'JSONEachRow',
      values: [{ tenant: 't-tables', session_id: 's', state: 'revoked', first_seen: at, last_seen: at, version: 2 }],
    });
    await h.client.insert({
      table: `${h.database}.findings`,
      format: 'JSONEachRow',
      values: [{ id: 'f1', tenant: 't-tables', session_id: 's', detector: 'destructive_burst', severity: 'critical', score: 0.93, evidence: ['rt-1'], at }],
    });
    await h.client.insert({
      table: `${h.database}.revocations`,
      format: 'JSONEachRow',
      values: [{ tenant: 't-tables', session_id: 's', action: 'revoke', at, by: 'detector:destructive_burst', reason: 'burst', finding_id: 'f1', prev_hash: '', hash: 'h1' }],
    });
    const rs = await h.client.query({
      query: `SELECT s.state AS state, f.score AS score, r.by AS by, toString(toUnixTimestamp64Nano(r.at)) AS at_ns
        FROM ${h.database}.sessions AS s FINAL
        JOIN ${h.database}.findings AS f ON f.session_id = s.session_id AND f.tenant = s.tenant
        JOIN ${h.database}.revocations AS r ON r.finding_id = f.id
        WHERE s.tenant = {tenant:String}`,
      query_params: { tenant: 't-tables' },
      format: 'JSONEachRow',
    });
    assert.deepEqual(await rs.json(), [
      { state: 'revoked', score: 0.93, by: 'detector:destructive_burst', at_ns: '1763740800123456789' },
    ]);
  });

  const bulk = options.bulkEvents ?? 0;
  if (bulk > 0) {
    it(`inserts ${bulk} events (rate reported, not asserted)`, async () => {
      const tenant = 't-bulk';
      const batchSize = options.bulkBatchSize ?? 10_000;
      const events = makeBatch({ tenant, count: bulk, stepNs: 1_000_000n });
      const s = store();
      const started = performance.now();
      for (let i = 0; i < events.length; i += batchSize) await s.insertEvents(events.slice(i, i + batchSize));
      const seconds = (performance.now() - started) / 1000;
      console.log(
        `[${options.label}] inserted ${bulk} events in ${seconds.toFixed(2)} s: ` +
          `${Math.round(bulk / seconds)} events/s (batches of ${batchSize})`,
      );
      assert.equal(await countEvents(getHandle(), { tenant }), bulk);
    });
  }
}

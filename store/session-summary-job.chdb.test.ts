/**
 * The session summary job (migration 036) on the embedded engine: the sessions list and the
 * reads by id answer what a scan of every event answers before the job ever ran, after one run,
 * after a run repeated, for a session whose events arrive on two days, after an event older
 * than the last fold arrives, and after a day leaves session_activity past the TTL; after a
 * run, a session without a new event is listed from its summary row (a row changed by hand
 * shows in the list), when more sessions changed than one fold takes, and runs are scheduled
 * by the clock given.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openTempChdb, type TempChdb } from '../test/infra/clickhouse-chdb.js';
import { makeEvent } from '../test/infra/clickhouse-events.js';
import { ClickHouseAuditStore } from './audit-store.js';
import { migrate } from './migrations.js';
import { Metrics } from '../lib/metrics.js';
import { silentLogger } from '../lib/logger.js';
import { FakeClock } from '../lib/clock.js';
import { SessionSummaryJob } from './session-summary-job.js';
import { sessionsFromEvents } from '../serve/api/queries/session-activity.js';
import { sessionsByIdFromIndex, sessionsFromIndex } from '../serve/api/queries/session-index.js';
import type { AuditEvent } from '../model/audit-event.js';

const NOW_MS = Date.now();
let chdb: TempChdb;
let store: ClickHouseAuditStore;
let job: SessionSummaryJob;
let seq = 0;

/** `count` events of one session, `hoursAgo` hours back and one minute apart. */
function events(session: string, hoursAgo: number, count: number, overrides: Partial<AuditEvent> = {}): AuditEvent[] {
  return Array.from({ length: count }, (_, i) => {
    const ns = BigInt(NOW_MS - hoursAgo * 3_600_000 + i * 60_000) * 1_000_000n;
    seq++;
    return makeEvent({
      event_id: `ev-${seq}`,
      tenant: 'acme',
      session_id: session,
      agent_id: i % 3 === 2 ? '' : session.endsWith('b') ? 'codex' : 'claude-code',
      user_id: i === 0 ? `user-of-${session}` : '',
      goal: i === 1 ? `goal of ${session}` : '',
      phase: i % 2 === 0 ? 'intent' : 'execution',
      destructive: i % 5 === 4,
      time_ns: ns.toString(),
      end_time_ns: (ns + 1n).toString(),
      observed_ns: (ns + 2n).toString(),
      ...overrides,
    });
  });
}

const rowsOf = async <T>(query: string): Promise<T[]> => (await chdb.handle.client.query({ query, format: 'JSONEachRow' })).json<T>();
const touches = async (): Promise<number> => Number((await rowsOf<{ n: string }>('SELECT count() AS n FROM session_touches'))[0]!.n);

/** The list (several pages and filters) and the reads by id, beside a scan of every event. */
async function assertAgree(label: string): Promise<void> {
  const queries = [
    { tenant: 'acme', limit: 100 },
    { tenant: 'acme', limit: 2, offset: 1 },
    { tenant: 'acme', limit: 100, agent: 'codex' },
    { tenant: 'acme', limit: 100, agent: '' },
    { tenant: 'acme', limit: 100, sinceMs: NOW_MS - 30 * 3_600_000 },
    { tenant: 'globex', limit: 100 },
  ];
  for (const q of queries) {
    const scanned = await sessionsFromEvents(chdb.handle, q);
    assert.deepEqual(await sessionsFromIndex(chdb.handle, q), scanned, `${label}: ${JSON.stringify(q)}`);
  }
  const all = await sessionsFromEvents(chdb.handle, { tenant: 'acme', limit: 1000 });
  assert.ok(all.length > 0, label);
  const ids = [...all.map((s) => s.id), 'no-such-session'];
  assert.deepEqual(await sessionsByIdFromIndex(chdb.handle, 'acme', ids), await sessionsFromEvents(chdb.handle, { tenant: 'acme', ids, limit: ids.length }), `${label}: by id`);
}

before(async () => {
  chdb = await openTempChdb();
  await migrate(chdb.handle);
  store = new ClickHouseAuditStore(chdb.handle, { logger: silentLogger, metrics: new Metrics() });
  // No insert is in flight while a test folds: a negative margin folds the current minute too.
  job = new SessionSummaryJob({ storage: chdb.handle, clock: new FakeClock(), logger: silentLogger, periodMs: 60_000, marginMs: -60_000 });
});

after(async () => {
  await chdb?.cleanup();
});

describe('session summary job', () => {
  test('before any run, every session is touched and read from its activity: the same answers', async () => {
    await store.insertEvents([...events('s-1', 50, 6), ...events('s-2b', 40, 5), ...events('s-3', 2, 7)]);
    await store.insertEvents(events('g-1', 3, 4, { tenant: 'globex' }));
    assert.ok((await touches()) >= 4);
    assert.equal(Number((await rowsOf<{ n: string }>("SELECT count() AS n FROM session_summary WHERE tenant != ''"))[0]!.n), 0);
    await assertAgree('not yet run');
  });

  test('after a run the sessions are read from their summary rows; a second run folds nothing and changes nothing', async () => {
    const first = await job.run();
    assert.equal(first.sessions, 4);
    assert.equal(await touches(), 0);
    await assertAgree('after one run');
    const rows = await rowsOf('SELECT * EXCEPT version FROM session_summary FINAL ORDER BY ALL');
    const second = await job.run();
    assert.equal(second.sessions, 0);
    assert.deepEqual(await rowsOf('SELECT * EXCEPT version FROM session_summary FINAL ORDER BY ALL'), rows);
    await assertAgree('after two runs');
    // The answer comes from the summary row: a count changed by hand shows.
    await chdb.handle.client.command({
      query: `INSERT INTO session_summary SELECT * REPLACE (intent_count + 1000 AS intent_count, version + 1 AS version)
                FROM session_summary FINAL WHERE session_id = 's-1' AND by_agent = 0`,
    });
    const s1 = (await sessionsFromIndex(chdb.handle, { tenant: 'acme', limit: 100 })).find((s) => s.id === 's-1');
    assert.equal(s1?.counts?.intents, 3 + 1000);
    await job.run(); // s-1 has no touch, so the run leaves the hand-made row alone
    await store.insertEvents(events('s-1', 1, 1)); // a new event: read from its activity again, then folded
    await assertAgree('touched after a hand-made row');
    await job.run();
    await assertAgree('folded after a hand-made row');
  });

  test('a session whose events arrive on two days, folded after each', async () => {
    await store.insertEvents(events('two-days', 26, 4));
    await job.run();
    await assertAgree('first day folded');
    await store.insertEvents(events('two-days', 1, 3));
    await assertAgree('second day touched');
    await job.run();
    await assertAgree('second day folded');
    const [row] = await sessionsByIdFromIndex(chdb.handle, 'acme', ['two-days']);
    assert.equal(row?.counts?.events, 7);
  });

  test('an event older than the last fold (late) is counted before and after the next run', async () => {
    await job.run();
    // Three days before anything else of s-3, and a new agent for it.
    await store.insertEvents(events('s-3', 72, 2, { agent_id: 'gemini-cli', goal: 'an earlier goal' }));
    await assertAgree('late event touched');
    await job.run();
    await assertAgree('late event folded');
    const [row] = await sessionsByIdFromIndex(chdb.handle, 'acme', ['s-3']);
    assert.equal(row?.agent, 'gemini-cli');
    assert.equal(row?.goal, 'an earlier goal');
  });

  test('a day dropped past the TTL: the next run folds the sessions that had events on it', async () => {
    await job.run();
    // What the TTL does to whole days (ttl_only_drop_parts): the oldest day leaves both tables.
    const [oldest] = await rowsOf<{ day: string }>('SELECT toString(min(day)) AS day FROM session_activity');
    for (const table of ['audit_events', 'session_activity']) {
      await chdb.handle.client.command({ query: `ALTER TABLE ${table} DROP PARTITION '${oldest!.day}'` });
    }
    const run = await job.run();
    assert.ok(run.sessions > 0, 'sessions of the dropped day folded');
    await assertAgree('after the TTL');
    const gone = await rowsOf<{ session_id: string }>("SELECT session_id FROM session_summary FINAL WHERE gone = 1 AND by_agent = 0");
    const left = new Set((await sessionsFromEvents(chdb.handle, { tenant: 'acme', limit: 1000 })).map((s) => s.id));
    for (const { session_id } of gone) assert.ok(!left.has(session_id), `${session_id} has no events left`);
  });

  test('more changed sessions than one fold takes: folded in runs of the key, two tenants, the same answers', async () => {
    await job.run();
    const names = ['c-1', 'c-2b', 'c-3', 'c-4b', 'c-5'];
    await store.insertEvents(names.flatMap((name, i) => events(name, 5 + i, 3)));
    await store.insertEvents([...events('c-g1', 4, 2, { tenant: 'globex' }), ...events('c-g2b', 3, 2, { tenant: 'globex' })]);
    const chunked = new SessionSummaryJob({ storage: chdb.handle, clock: new FakeClock(), logger: silentLogger, periodMs: 60_000, marginMs: -60_000, sessionsPerFold: 2 });
    const run = await chunked.run();
    assert.equal(run.sessions, 7, 'four folds of at most two sessions');
    assert.equal(await touches(), 0);
    const folded = await rowsOf<{ session_id: string }>("SELECT session_id FROM session_summary FINAL WHERE by_agent = 0 AND gone = 0 AND session_id LIKE 'c-%' ORDER BY session_id");
    assert.deepEqual(folded.map((r) => r.session_id), ['c-1', 'c-2b', 'c-3', 'c-4b', 'c-5', 'c-g1', 'c-g2b']);
    await assertAgree('folded two at a time');
  });

  test('runs are due by the clock given: one per period', async () => {
    const clock = new FakeClock(NOW_MS);
    const scheduled = new SessionSummaryJob({ storage: chdb.handle, clock, logger: silentLogger, periodMs: 60_000, marginMs: -60_000 });
    const count = async (): Promise<number> => {
      const before = Date.now();
      // A minute apart from every other tick session: the scan breaks ties on time arbitrarily.
      await store.insertEvents(events(`tick-${before}-${seq}`, 1 + seq / 60, 1));
      await scheduled.tick();
      return touches();
    };
    assert.equal(await count(), 0, 'the first tick runs');
    assert.equal(await count(), 1, 'a tick within the period does not');
    clock.advance(60_000);
    assert.equal(await count(), 0, 'a tick a period later runs');
    await assertAgree('after scheduled runs');
  });
});

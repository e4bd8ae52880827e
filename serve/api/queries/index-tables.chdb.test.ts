/**
 * The activity tables (migrations 031 target_index, 032 session_activity and target_activity,
 * 035 their block size) against the table they aggregate, on the embedded engine: a generated trail stored partly before the indexes existed
 * (filled by the migrations) and partly after (filled by the materialized views), then events
 * that arrive out of order, a batch retried with its token, rows stored twice (collapsed by
 * `audit_events`' ReplacingMergeTree, never by the index) and days past the TTL. After each
 * step, the activity tables hold what an aggregation of `audit_events FINAL` gives, and the
 * sessions list and target search answer exactly what a scan of every event answers, and so do
 * the reads of one session — what its events say of it (from session_activity by id), its
 * timeline and its blast radius (read from audit_events FINAL with the session chosen in
 * PREWHERE) — beside the same questions asked with a plain WHERE.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTempChdb, type TempChdb } from '../../../test/infra/clickhouse-chdb.js';
import { DEFAULT_MIGRATIONS_DIR } from '../../../store/migrations.js';
import { ClickHouseAuditStore, migrate } from '../../../store/index.js';
import { Metrics } from '../../../lib/metrics.js';
import { silentLogger } from '../../../lib/logger.js';
import { makeEvent } from '../../../test/infra/clickhouse-events.js';
import { AGENTS, TENANTS, generateEvents } from '../../../test/helpers/generated-trail.js';
import { scanSessionsTouching } from '../../../test/helpers/scan-queries.js';
import { sessionsFromEvents } from './session-activity.js';
import { sessionsByIdFromIndex, sessionsFromIndex } from './session-index.js';
import { sessionsTouching } from './targets.js';
import { sessionEvents, type TimelineEvent } from './timeline.js';
import { blastRadius, groupTargets, type BlastRadius } from './blast-radius.js';
import { EVENT_SELECT_COLUMNS, fromRow, type SelectedEventRow } from '../../../store/event-row.js';
import { nsToRfc3339OrEmpty } from '../../../lib/rfc3339.js';
import { systemClock } from '../../../lib/clock.js';
import { SessionSummaryJob } from '../../../store/session-summary-job.js';
import type { AuditEvent } from '../../../model/audit-event.js';

const DAY_MS = 86_400_000;
const NOW_MS = Date.now();
const EVENTS = 12_000;
const SESSIONS = 120;
const shape = { sessions: SESSIONS, days: 6, endMs: NOW_MS, totalEvents: EVENTS };

let chdb: TempChdb;
let store: ClickHouseAuditStore;

async function rowsOf<T>(query: string): Promise<T[]> {
  return (await chdb.handle.client.query({ query, format: 'JSONEachRow' })).json<T>();
}

/** The activity tables, merged, beside the same aggregation of audit_events FINAL. */
async function assertTablesAgree(): Promise<void> {
  const sessionsFromTable = await rowsOf(`SELECT tenant, session_id, agent_id, day, min(first_time) AS f, max(last_time) AS l,
        argMinIfMerge(first_user) AS u, argMinIfMerge(first_environment) AS e, argMinIfMerge(first_goal) AS g,
        argMinIfMerge(first_scope_allow) AS sa, argMinIfMerge(first_scope_deny) AS sd,
        uniqExactIfMerge(intent_events) AS i, uniqExactIfMerge(execution_events) AS x, uniqExactIfMerge(other_events) AS o,
        uniqExactIfMerge(destructive_events) AS d
      FROM session_activity GROUP BY tenant, session_id, agent_id, day ORDER BY ALL`);
  const sessionsFromBase = await rowsOf(`SELECT tenant, session_id, agent_id, toDate(time) AS day, min(time) AS f, max(time) AS l,
        argMinIf(user_id, time, user_id != '') AS u, toString(argMinIf(environment, time, environment != '')) AS e,
        argMinIf(goal, time, goal != '') AS g, argMinIf(scope_allow, time, notEmpty(scope_allow)) AS sa,
        argMinIf(scope_deny, time, notEmpty(scope_deny)) AS sd,
        countIf(phase = 'intent') AS i, countIf(phase = 'execution') AS x, countIf(phase NOT IN ('intent', 'execution')) AS o,
        countIf(destructive) AS d
      FROM audit_events FINAL GROUP BY tenant, session_id, agent_id, day ORDER BY ALL`);
  assert.ok(sessionsFromBase.length > 0);
  assert.deepEqual(sessionsFromTable, sessionsFromBase, 'session_activity');
  const targetsFromTable = await rowsOf(`SELECT tenant, target, session_id, day, min(first_time) AS f, max(last_time) AS l,
        argMinIfMerge(first_agent) AS a, uniqExactMerge(events) AS n, uniqExactIfMerge(destructive_events) AS d
      FROM target_activity GROUP BY tenant, target, session_id, day ORDER BY ALL`);
  const targetsFromBase = await rowsOf<Record<string, unknown>>(`SELECT tenant, target, session_id, toDate(time) AS day, min(time) AS f, max(time) AS l,
        argMinIf(agent_id, time, agent_id != '') AS a, count() AS n, countIf(destructive) AS d
      FROM audit_events FINAL ARRAY JOIN arrayDistinct(targets) AS target GROUP BY tenant, target, session_id, day ORDER BY ALL`);
  assert.ok(targetsFromBase.length > 0);
  assert.deepEqual(targetsFromTable, targetsFromBase, 'target_activity');
  const searchFromTable = await rowsOf(`SELECT tenant, target, session_id, day, min(first_time) AS f, max(last_time) AS l
      FROM target_index GROUP BY tenant, target, session_id, day ORDER BY ALL`);
  assert.deepEqual(searchFromTable, targetsFromBase.map(({ tenant, target, session_id, day, f, l }) => ({ tenant, target, session_id, day, f, l })), 'target_index');
}

/** A session's events as the timeline read them before PREWHERE: FINAL, filtered in WHERE. */
async function scanSessionEvents(tenant: string, sessionId: string): Promise<TimelineEvent[]> {
  const rows = await (
    await chdb.handle.client.query({
      query: `SELECT ${EVENT_SELECT_COLUMNS} FROM audit_events FINAL
               WHERE tenant = {tenant:String} AND session_id = {id:String} ORDER BY time, event_id`,
      query_params: { tenant, id: sessionId },
      format: 'JSONEachRow',
    })
  ).json<SelectedEventRow>();
  return rows.map((row) => {
    const event = fromRow(row);
    return { ...event, at: nsToRfc3339OrEmpty(event.time_ns) };
  });
}

/** A session's blast radius as it was read before PREWHERE: every event of the session FINAL, in WHERE. */
async function scanBlastRadius(tenant: string, sessionId: string): Promise<BlastRadius> {
  const rows = await rowsOf<{ target: string; n: string; i: string; x: string; d: string; ac: string[]; tools: string[]; f: string; l: string }>(
    `SELECT target, count() AS n, countIf(phase = 'intent') AS i, countIf(phase = 'execution') AS x, countIf(destructive) AS d,
            arraySort(groupUniqArray(toString(action_class))) AS ac, arraySort(groupUniqArray(toString(tool))) AS tools,
            toString(toUnixTimestamp64Nano(min(time))) AS f, toString(toUnixTimestamp64Nano(max(time))) AS l
       FROM audit_events FINAL ARRAY JOIN targets AS target
      WHERE tenant = '${tenant}' AND session_id = '${sessionId}' AND target != '' GROUP BY target`,
  );
  return groupTargets(
    sessionId,
    rows.map((r) => ({
      target: r.target,
      destructive: Number(r.d) > 0,
      counts: { events: Number(r.n), intents: Number(r.i), executions: Number(r.x), destructive: Number(r.d) },
      action_classes: r.ac.filter((c) => c !== '' && c !== 'none'),
      tools: r.tools.filter((t) => t !== ''),
      first_at: nsToRfc3339OrEmpty(r.f),
      last_at: nsToRfc3339OrEmpty(r.l),
    })),
  );
}

/**
 * Sessions read one at a time (and a few at once): stored before the indexes (sess-1…59) and
 * after (60…119), replayed and late (sess-1, late-session, sess-3), of the other tenant, asked of
 * the wrong tenant, and unknown. The same answers as a scan of their events.
 */
const ONE_SESSION = [
  ['acme', 'sess-1'], ['acme', 'late-session'], ['acme', 'sess-3'], ['globex', 'sess-10'], ['acme', 'sess-57'],
  ['acme', 'sess-61'], ['globex', 'sess-70'], ['acme', 'no-such-session'], ['globex', 'sess-1'],
] as const;

async function assertSessionReadsAgree(): Promise<void> {
  let events = 0;
  for (const [tenant, id] of ONE_SESSION) {
    const label = `${tenant}/${id}`;
    const scanned = await scanSessionEvents(tenant, id);
    events += scanned.length;
    assert.deepEqual(await sessionEvents(chdb.handle, tenant, id, 50_000), scanned, `timeline ${label}`);
    assert.deepEqual(await blastRadius(chdb.handle, tenant, id), await scanBlastRadius(tenant, id), `blast radius ${label}`);
    assert.deepEqual(await sessionsByIdFromIndex(chdb.handle, tenant, [id]), await sessionsFromEvents(chdb.handle, { tenant, ids: [id], limit: 1 }), `session ${label}`);
  }
  assert.ok(events > 0);
  const ids = ONE_SESSION.filter(([tenant]) => tenant === 'acme').map(([, id]) => id);
  assert.deepEqual(
    await sessionsByIdFromIndex(chdb.handle, 'acme', [...ids, '']),
    await sessionsFromEvents(chdb.handle, { tenant: 'acme', ids, limit: ids.length }),
    'sessions by id',
  );
}

const PATTERNS = ['k8s://prod/*', '*/src/file1*.ts', '/home/user-7/*', 'aws://s3/bucket-1?/*', '*', 'nothing-matches*'];

/** Sessions list pages and target searches: the index-backed answer is the full scan's. */
async function assertAnswersAgree(): Promise<void> {
  for (const tenant of TENANTS) {
    for (const sinceMs of [undefined, NOW_MS - 2 * DAY_MS]) {
      const since = sinceMs === undefined ? {} : { sinceMs };
      const lists = [{ limit: 1000 }, { limit: 7, offset: 7 }, { limit: 10, agent: AGENTS[tenant === 'acme' ? 1 : 2] }];
      for (const page of lists) {
        const q = { tenant, ...since, ...page };
        assert.deepEqual(await sessionsFromIndex(chdb.handle, q), await sessionsFromEvents(chdb.handle, q), JSON.stringify(q));
      }
      for (const [i, match] of PATTERNS.entries()) {
        const q = { tenant, match, limit: i % 2 === 0 ? 1000 : 5, ...since };
        assert.deepEqual(await sessionsTouching(chdb.handle, q), await scanSessionsTouching(chdb.handle, q), JSON.stringify(q));
      }
    }
  }
}

/**
 * Every check, as the reads stand (sessions touched since the last fold are read from
 * session_activity), then again after a fold of the session summary (they are read from its
 * finalized rows) — and that the second round did read the summary.
 */
async function assertEverythingAgrees(): Promise<void> {
  await assertTablesAgree();
  await assertAnswersAgree();
  await assertSessionReadsAgree();
  await new SessionSummaryJob({ storage: chdb.handle, clock: systemClock, logger: silentLogger, periodMs: 0, marginMs: -60_000 }).run();
  const [pending] = await rowsOf<{ n: string }>(`SELECT count() AS n FROM session_touches`);
  assert.equal(Number(pending!.n), 0, 'every session folded');
  await assertAnswersAgree();
  await assertSessionReadsAgree();
}

before(async () => {
  chdb = await openTempChdb();
  store = new ClickHouseAuditStore(chdb.handle, { logger: silentLogger, metrics: new Metrics() });
  // The first half of the trail is stored before the index tables exist: the migrations fill them.
  const early = await mkdtemp(join(tmpdir(), 'warden-early-migrations-'));
  try {
    for (const file of await readdir(DEFAULT_MIGRATIONS_DIR)) {
      if (/^0(0\d|1\d|2\d)_/.test(file)) await cp(join(DEFAULT_MIGRATIONS_DIR, file), join(early, file));
    }
    await migrate(chdb.handle, { dir: early });
  } finally {
    await rm(early, { recursive: true, force: true });
  }
  await generateEvents(chdb.handle, { ...shape, events: EVENTS / 2, firstEvent: 0 });
  const applied = (await migrate(chdb.handle)).applied;
  // 033 and 034 do not touch these tables; 035 sets their block size (and rewrites their parts).
  assert.deepEqual(applied.filter((name) => name < '033' || name >= '035'), [
    '030_session_index.sql', '031_target_index.sql', '032_activity_tables.sql', '035_activity_block_size.sql', '036_session_summary.sql',
  ]);
  for (const name of ['session_activity', 'target_activity']) {
    const [table] = await rowsOf<{ engine_full: string }>(`SELECT engine_full FROM system.tables WHERE database = currentDatabase() AND name = '${name}'`);
    assert.match(table?.engine_full ?? '', /min_compress_block_size = 4096, max_compress_block_size = 16384/, name);
  }
});

after(async () => {
  await chdb?.cleanup();
});

describe('session_activity and target_activity', () => {
  test('hold what audit_events holds: rows stored before the indexes (backfill) and after (views)', async () => {
    await generateEvents(chdb.handle, { ...shape, events: EVENTS / 2, firstEvent: EVENTS / 2 });
    await assertEverythingAgrees();
  });

  test('agree after out-of-order arrival, a retried batch, and rows stored twice', async () => {
    // One session's events, newest day first, in separate batches; one of them also a new session.
    const t0 = BigInt(NOW_MS - 4 * DAY_MS) * 1_000_000n;
    const event = (i: number, overrides: Partial<AuditEvent> = {}): AuditEvent =>
      makeEvent({
        event_id: `late-${i}`,
        tenant: 'acme',
        session_id: i % 2 === 0 ? 'sess-1' : 'late-session',
        agent_id: i % 3 === 0 ? '' : 'codex',
        targets: [`k8s://prod/default/pod/late-${i % 4}`, `/srv/late/${i}`],
        time_ns: (t0 + BigInt(i) * 7_200_000_000_000n).toString(),
        end_time_ns: (t0 + BigInt(i) * 7_200_000_000_000n + 1n).toString(),
        observed_ns: (t0 + BigInt(i) * 7_200_000_000_000n + 2n).toString(),
        ...overrides,
      });
    const batches = [[40, 41, 42], [10, 11], [30, 31, 32, 33], [0, 1]].map((ids) => ids.map((i) => event(i)));
    for (const batch of batches) await store.insertEvents(batch);
    // The same batch again: its token makes ClickHouse drop it (nothing reaches the views).
    await store.insertEvents(batches[0]!);
    // Rows stored twice despite that (a replay composed differently): same key, newer insert;
    // audit_events keeps one of each at merge and FINAL reads one, the index counts nothing.
    await chdb.handle.client.command({
      query: `INSERT INTO audit_events SELECT * EXCEPT inserted_at, now64(3) + 1 FROM audit_events WHERE session_id IN ('sess-1', 'late-session', 'sess-3')`,
    });
    const twice = await rowsOf<{ n: string }>(`SELECT count() AS n FROM audit_events WHERE session_id = 'late-session'`);
    const once = await rowsOf<{ n: string }>(`SELECT count() AS n FROM audit_events FINAL WHERE session_id = 'late-session'`);
    assert.equal(Number(once[0]!.n), 5);
    assert.ok(Number(twice[0]!.n) > 5);
    await assertEverythingAgrees();
    await chdb.handle.client.command({ query: 'OPTIMIZE TABLE audit_events FINAL' });
    await assertEverythingAgrees();
  });

  test('agree after days past the TTL leave audit_events', async () => {
    // Events of existing sessions and of new ones, 120 to 95 days old (the TTL is 90 days).
    const old = { sessions: 30, days: 25, endMs: NOW_MS - 95 * DAY_MS, totalEvents: 1_500 };
    await generateEvents(chdb.handle, { ...old, events: 1_500, firstEvent: 10_000_000 });
    // ClickHouse may drop a part that is past its TTL as soon as it is written; merges do the rest.
    const oldDays = `toDate(time) < today() - 90`;
    for (const table of ['audit_events', 'session_activity', 'target_index', 'target_activity']) {
      await chdb.handle.client.command({ query: `OPTIMIZE TABLE ${table} FINAL` });
    }
    assert.equal(Number((await rowsOf<{ n: string }>(`SELECT count() AS n FROM audit_events WHERE ${oldDays}`))[0]!.n), 0);
    for (const table of ['session_activity', 'target_index', 'target_activity']) {
      assert.equal(Number((await rowsOf<{ n: string }>(`SELECT count() AS n FROM ${table} WHERE day < today() - 90`))[0]!.n), 0, table);
    }
    await assertEverythingAgrees();
  });
});

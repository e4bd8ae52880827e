/**
 * Operator queries as the trail grows: generates a trail straight into embedded ClickHouse
 * (test/helpers/generated-trail.ts — `audit_events` through the real migrations, so the
 * materialized views fill their activity tables as they would in production, plus `findings` and
 * `sessions` rows; then one run of the session summary job, timed, as a stored trail has had), at 5 million and (on request) 50 million events over six days, and times each operator
 * query through the functions the API calls: timeline, one session, the sessions list, blast
 * radius, findings and "which sessions touched this target". Each query runs ≥ 20 times with
 * varied parameters, alternating with the same question asked the way Warden asked it before
 * the index tables (a full aggregation over `audit_events`), so both columns see the same load.
 * Prints p50/p95 beside the targets (p50 ≤ 50 ms at 5M, ≤ 200 ms at 50M), the statements each
 * query sends to the engine per call, the generation time and the data size, and two floors
 * timed in the same runs on the machine as loaded at the time: the round trip of `SELECT 1`
 * (what any statement pays) and a key read of one `sessions` row (what any statement that reads
 * a table pays, however little it reads). Asserts nothing.
 *
 * `BENCH_OQ_SCALES` (default `5`) lists the sizes in millions of events — `5,50` adds the 50M
 * trail, which takes about 20 minutes and 6 GiB of disk on the build machine, so it is not on by
 * default; `BENCH_OQ_RUNS` (default 24) the runs per query. Progress lines (each 2.5M events
 * written, the merges, the fold, every six runs) say how far a long run has got.
 */
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { migrate, openClickHouse, type ClickHouseHandle } from '../store/index.js';
import { silentLogger } from '../lib/logger.js';
import { systemClock } from '../lib/clock.js';
import { SessionSummaryJob } from '../store/session-summary-job.js';
import { sessionEvents, pairTimeline } from '../serve/api/queries/timeline.js';
import { blastRadius } from '../serve/api/queries/blast-radius.js';
import { listFindings } from '../serve/api/queries/findings.js';
import { sessionsTouching } from '../serve/api/queries/targets.js';
import { sessionsFromEvents } from '../serve/api/queries/session-activity.js';
import { scanSessionsTouching } from '../test/helpers/scan-queries.js';
import { createSessionReader } from '../serve/api/queries/session-reader.js';
import { storedSessions } from '../serve/api/queries/session-rows.js';
import { generateEvents, generateSessionsAndFindings, AGENTS, sessionId, tenantOf } from '../test/helpers/generated-trail.js';
import { prng } from '../test/helpers/prng.js';

const SCALES = (process.env.BENCH_OQ_SCALES ?? '5').split(',').map(Number).filter((n) => n > 0);
const RUNS = Math.max(20, Number(process.env.BENCH_OQ_RUNS ?? 24));
const DAYS = 6;
const EVENTS_PER_SESSION = 100;
const CHUNK = 2_500_000;


const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

interface Row {
  name: string;
  now: number[];
  before?: number[];
  /** Statements sent to the engine per call of `now` (summed over the runs). */
  statements?: number;
}

/**
 * Counts the statements a function sends through the handle's client: on the embedded engine
 * each costs a fixed price (parse, plan, open the parts it reads) whatever it returns, so the
 * count says as much about a query's floor as the rows it reads.
 */
function countingStatements(handle: ClickHouseHandle): { handle: ClickHouseHandle; count: () => number } {
  let n = 0;
  const client = new Proxy(handle.client, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (key !== 'query' || typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        n++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { handle: { ...handle, client }, count: () => n };
}

/** A progress line on long work (a 50M trail takes many minutes): what is done, time since `since`. */
function progress(what: string, since: number): void {
  console.log(`  … ${what} (${((performance.now() - since) / 1000).toFixed(0)} s)`);
}

async function runScale(millions: number): Promise<void> {
  const events = Math.round(millions * 1_000_000);
  const sessions = Math.max(10, Math.round(events / EVENTS_PER_SESSION));
  const endMs = Date.now();
  const dataPath = await mkdtemp(join(tmpdir(), 'warden-bench-oq-'));
  // A 50M trail is 6 GiB: stopped with Ctrl-C, the run still removes it.
  const removeOnSignal = (signal: NodeJS.Signals): void => {
    rmSync(dataPath, { recursive: true, force: true });
    process.stderr.write(`\noperator queries: stopped by ${signal}; ${dataPath} removed\n`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', removeOnSignal);
  process.once('SIGTERM', removeOnSignal);
  const handle = await openClickHouse({ dataPath, database: 'warden_bench', logger: silentLogger });
  try {
    await migrate(handle);
    const db = handle.database;
    const g0 = performance.now();
    console.log(`\noperator queries — generating ${millions}M events (${sessions} sessions over ${DAYS} days) …`);
    for (let first = 0; first < events; first += CHUNK) {
      await generateEvents(handle, { events: Math.min(CHUNK, events - first), firstEvent: first, totalEvents: events, sessions, days: DAYS, endMs });
      progress(`${((first + Math.min(CHUNK, events - first)) / 1e6).toFixed(1)}M of ${millions}M events written`, g0);
    }
    await generateSessionsAndFindings(handle, { events, sessions, days: DAYS, endMs });
    const genMs = performance.now() - g0;
    progress('sessions and findings written; waiting for background merges (at most 3 minutes)', g0);
    // Background merges of the freshly written parts compete for the 2 cores: let them finish
    // (at most 3 minutes), as a trail that has been stored for a while has.
    const s0 = performance.now();
    while (performance.now() - s0 < 180_000) {
      const merging = await (
        await handle.client.query({ query: 'SELECT count() AS n FROM system.merges WHERE database = {db:String}', query_params: { db }, format: 'JSONEachRow' })
      ).json<{ n: string }>();
      if (Number(merging[0]?.n ?? 0) === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    const settleMs = performance.now() - s0;
    progress('merges settled; folding the session summary', g0);
    // The session summary job, as it runs in Warden: one fold of every session the trail touched.
    // Nothing is inserted meanwhile, so a negative margin folds the newest minute's touches too.
    const f0 = performance.now();
    const fold = await new SessionSummaryJob({ storage: handle, clock: systemClock, logger: silentLogger, periodMs: 0, marginMs: -60_000 }).run();
    const foldMs = performance.now() - f0;
    const sizes = await (
      await handle.client.query({
        query: `SELECT table, sum(rows) AS rows, sum(bytes_on_disk) AS bytes, count() AS parts FROM system.parts
                 WHERE database = {db:String} AND active GROUP BY table ORDER BY table`,
        query_params: { db },
        format: 'JSONEachRow',
      })
    ).json<{ table: string; rows: string; bytes: string; parts: string }>();

    const rand = prng(millions * 1000 + 7);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const session = (): { tenant: string; id: string } => {
      const k = Math.floor(rand() * sessions);
      return { tenant: tenantOf(k), id: sessionId(k) };
    };
    const dayMs = 86_400_000;
    // The queries timed below go through a client that counts their statements.
    const counted = countingStatements(handle);
    const q = counted.handle;
    const reader = createSessionReader({ storage: q, sessions: { get: () => undefined, list: () => [] }, revocations: { revocationOf: () => null } });
    const patterns = [
      () => `k8s://prod/default/pod/web-${Math.floor(rand() * 300)}`,
      () => 'k8s://prod/*',
      () => `/home/user-${Math.floor(rand() * 400)}/*`,
      () => `*/src/file${Math.floor(rand() * 40)}.ts`,
      () => 'db://prod/orders',
      () => `aws://s3/bucket-${Math.floor(rand() * 1000)}/*`,
    ];
    const rows: Row[] = [
      { name: 'SELECT 1', now: [] },
      { name: 'key read', now: [] },
      { name: 'timeline', now: [] },
      { name: 'session', now: [] },
      { name: 'sessions list', now: [], before: [] },
      { name: 'blast radius', now: [] },
      { name: 'findings', now: [] },
      { name: 'targets', now: [], before: [] },
    ];
    const [floor, keyRead, timeline, one, list, blast, findings, targets] = rows as [Row, Row, Row, Row, Row, Row, Row, Row];
    /** Times one call, and adds the statements it sent to the row's count. */
    const timedNow = async (row: Row, fn: () => Promise<unknown>): Promise<number> => {
      const n0 = counted.count();
      const ms = await timed(fn);
      row.statements = (row.statements ?? 0) + counted.count() - n0;
      return ms;
    };
    progress(`timing ${rows.length} queries, ${RUNS} runs each`, g0);
    for (let run = 0; run < RUNS; run++) {
      if (run > 0 && run % 6 === 0) progress(`run ${run} of ${RUNS}`, g0);
      const s = session();
      // The round trip of a query that reads nothing: how loaded the machine is right now.
      floor.now.push(await timedNow(floor, async () => (await q.client.query({ query: 'SELECT 1', format: 'JSONEachRow' })).json()));
      // The least a statement that reads a table pays: one row of `sessions` by its key.
      keyRead.now.push(
        await timedNow(keyRead, async () =>
          (
            await q.client.query({
              query: `SELECT session_id FROM ${db}.sessions WHERE tenant = {t:String} AND session_id = {id:String}`,
              query_params: { t: s.tenant, id: s.id },
              format: 'JSONEachRow',
            })
          ).json(),
        ),
      );
      timeline.now.push(await timedNow(timeline, async () => pairTimeline(await sessionEvents(q, s.tenant, s.id, 5_000))));
      one.now.push(await timedNow(one, () => reader.get(s.tenant, s.id)));
      blast.now.push(await timedNow(blast, () => blastRadius(q, s.tenant, s.id)));

      const tenant = run % 4 === 3 ? 'globex' : 'acme';
      const agent = run % 3 === 1 ? pick(AGENTS) : undefined;
      const sinceMs = run % 3 === 2 ? endMs - Math.ceil(rand() * DAYS) * dayMs : undefined;
      const limit = pick([20, 50, 100]);
      const listQuery = { tenant, limit, ...(agent ? { agent } : {}), ...(sinceMs !== undefined ? { sinceMs } : {}) };
      // Before and after alternate, in an order that swaps each run.
      const listNow = (): Promise<number> => timedNow(list, () => reader.list(listQuery));
      // Before: the stored rows and every event aggregated per session, both read in full as the reader did.
      const listBefore = (): Promise<number> => timed(() => Promise.all([storedSessions(handle, listQuery), sessionsFromEvents(handle, listQuery)]));
      if (run % 2 === 0) {
        list.now.push(await listNow());
        list.before!.push(await listBefore());
      } else {
        list.before!.push(await listBefore());
        list.now.push(await listNow());
      }

      findings.now.push(
        await timedNow(findings, () =>
          listFindings(q, {
            tenant,
            limit,
            ...(run % 4 === 1 ? { severity: 'high' as const } : {}),
            ...(run % 4 === 2 ? { detector: 'scope-drift' } : {}),
            ...(run % 4 === 3 ? { sessionId: s.id } : {}),
            ...(sinceMs !== undefined ? { sinceMs } : {}),
          }),
        ),
      );

      const match = patterns[run % patterns.length]!();
      const targetSince = run % 5 === 4 ? endMs - dayMs : undefined;
      const targetQuery = { tenant, match, limit, ...(targetSince !== undefined ? { sinceMs: targetSince } : {}) };
      const targetBefore = (): Promise<number> => timed(() => scanSessionsTouching(handle, targetQuery));
      const targetNow = (): Promise<number> => timedNow(targets, () => sessionsTouching(q, targetQuery));
      if (run % 2 === 0) {
        targets.now.push(await targetNow());
        targets.before!.push(await targetBefore());
      } else {
        targets.before!.push(await targetBefore());
        targets.now.push(await targetNow());
      }
    }

    const target = millions <= 5 ? 50 : 200;
    const fmt = (x: number): string => x.toFixed(1).padStart(7);
    const stats = (xs: number[]): [number, number] => {
      const sorted = [...xs].sort((a, b) => a - b);
      return [percentile(sorted, 50), percentile(sorted, 95)];
    };
    console.log(`operator queries — ${millions}M events, ${sessions} sessions over ${DAYS} days (embedded ClickHouse; ${RUNS} runs each)`);
    console.log(`  generated in ${(genMs / 1000).toFixed(1)} s; background merges settled ${(settleMs / 1000).toFixed(1)} s later`);
    console.log(`  session summary: ${fold.sessions} sessions folded in ${(foldMs / 1000).toFixed(1)} s (${((foldMs * 1000) / Math.max(1, fold.sessions)).toFixed(0)} µs per session, ${((foldMs * 1000) / events).toFixed(1)} µs per event)`);
    for (const t of sizes) console.log(`  ${t.table.padEnd(22)} ${String(t.rows).padStart(11)} rows ${(Number(t.bytes) / 2 ** 20).toFixed(1).padStart(9)} MiB  ${t.parts} parts`);
    console.log(`  ${'query'.padEnd(15)} ${'p50 ms'.padStart(7)} ${'p95 ms'.padStart(7)} ${'stmts'.padStart(5)}   target p50   ${'before p50'.padStart(10)} ${'p95'.padStart(7)}`);
    for (const row of rows) {
      const [p50, p95] = stats(row.now);
      const before = row.before ? stats(row.before) : undefined;
      const isFloor = row === floor || row === keyRead;
      const verdict = isFloor ? '' : p50 <= target ? 'met' : 'MISSED';
      const perCall = ((row.statements ?? 0) / row.now.length).toFixed(1).padStart(5);
      console.log(
        `  ${row.name.padEnd(15)} ${fmt(p50)} ${fmt(p95)} ${perCall}   ${isFloor ? '(floor)   ' : `≤ ${String(target).padStart(3)}`} ${verdict.padEnd(6)} ${before ? `${fmt(before[0])}    ${fmt(before[1])}` : isFloor ? '' : '      (unchanged)'}`,
      );
    }
  } finally {
    process.off('SIGINT', removeOnSignal);
    process.off('SIGTERM', removeOnSignal);
    await handle.close();
    await rm(dataPath, { recursive: true, force: true });
  }
}

for (const millions of SCALES) await runScale(millions);

/**
 * Detection latency: from a span accepted by Warden (the HTTP 200 of its OTLP request) to the
 * signed `session.revoked` webhook received by a local receiver, p50/p99 over many probes, while
 * a background load of ordinary agent traffic keeps Warden busy.
 *
 * Warden runs as its own process (`warden start`, embedded mode, fresh data directory), as a user
 * would run it; this process generates the load, sends the probes, receives the webhooks and
 * times both ends with one clock. Each probe is a new session that declares a never-touch scope
 * and then acts on it — one event that must revoke. The background sessions do ordinary work
 * (reads, tests, commits) that must not revoke. Percentiles alone hide a Warden that falls
 * behind (the backlog grows for the whole run, and so does every later probe's latency), so the
 * run also reports the backlog over time (spans accepted and not yet normalized, sampled from
 * /metrics each second), the probes' latency by thirds of the run, and says plainly whether
 * Warden kept up; and Warden's CPU time per span, the figure that varies least on a shared
 * machine. Prints figures; asserts nothing.
 *
 * A Warden just started is not the Warden that runs for weeks: for its first half minute V8
 * compiles its hot code (about a tenth of the process's CPU goes to the optimizing compiler then,
 * about one hundredth a minute later), and the probes' code paths (revocation, webhooks) are cold.
 * So the measured probes follow a warm-up of the same load and probes (`BENCH_WARMUP_SECONDS`,
 * default 30; 0 measures from the start), whose figures are printed on a line of their own.
 */
import fs from 'node:fs';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { toolSpan } from '../test/helpers/tool-span.js';
import { WebhookReceiver } from '../respond/kill-switch/webhook-receiver.js';
import { generateWebhookSecret } from '../config/webhook-endpoints.js';
import { percentile, sampleBacklog, slope, startWardenProcess, walSyncLine, type BacklogSample } from './warden-process.js';

const PROBES = Number(process.env.BENCH_PROBES ?? 3_000);
const PROBES_PER_SECOND = Number(process.env.BENCH_PROBE_RATE ?? 50);
const LOAD_SPANS_PER_SECOND = 5_000;
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 30);

const secret = generateWebhookSecret();
const receiver = await WebhookReceiver.start({ secret });
const warden = await startWardenProcess({ WARDEN_WEBHOOK_URL: receiver.url, WARDEN_WEBHOOK_SECRET: secret });
const { post, scrape } = warden;

function gcSummary(before: Map<string, number>, after: Map<string, number>): string {
  const parts: string[] = [];
  for (const kind of ['minor', 'major', 'incremental']) {
    const count = (after.get(`nodejs_gc_duration_seconds_count{kind="${kind}"}`) ?? 0) - (before.get(`nodejs_gc_duration_seconds_count{kind="${kind}"}`) ?? 0);
    const sum = (after.get(`nodejs_gc_duration_seconds_sum{kind="${kind}"}`) ?? 0) - (before.get(`nodejs_gc_duration_seconds_sum{kind="${kind}"}`) ?? 0);
    if (count > 0) parts.push(`${kind} ${count} × ${((sum / count) * 1000).toFixed(1)} ms`);
  }
  return parts.join(', ') || 'none';
}

const median = (values: number[]): number => percentile([...values].sort((a, b) => a - b), 50);

/**
 * Whether Warden kept up: the backlog (spans accepted, not yet normalized) did not grow over the
 * run, and later probes were not slower than early ones. Also Warden's CPU time per span.
 */
function keptUp(trend: Array<[number, number]>, samples: BacklogSample[], before: Map<string, number>, after: Map<string, number>, load: { rate: number; skipped: number }): string[] {
  const thirds = [0, 1, 2].map((i) => median(trend.slice(Math.floor((i * trend.length) / 3), Math.floor(((i + 1) * trend.length) / 3)).map(([, ms]) => ms)));
  const latencyGrowth = slope(trend); // ms of latency per second of run
  const backlogGrowth = slope(samples.map((s) => [s.at, s.spans] as const)); // spans per second
  const peak = samples.reduce((m, s) => Math.max(m, s.spans), 0);
  const last = samples.at(-1);
  const spans = (after.get('warden_events_received_total{stage="http",signal="traces"}') ?? NaN) - (before.get('warden_events_received_total{stage="http",signal="traces"}') ?? NaN);
  const cpu = (after.get('process_cpu_seconds_total') ?? NaN) - (before.get('process_cpu_seconds_total') ?? NaN);
  // Behind: the backlog grew, late probes waited longer than early ones, or Warden took the load
  // too slowly for the generator to offer it (requests skipped while 64 were unanswered).
  const starved = load.skipped > 0 || load.rate < LOAD_SPANS_PER_SECOND * 0.9;
  const behind = starved || backlogGrowth > LOAD_SPANS_PER_SECOND * 0.05 || thirds[2]! > 2 * thirds[0]! + 50;
  return [
    `  latency by thirds of the run (median): ${thirds.map((t) => `${t.toFixed(1)} ms`).join(' → ')}; trend ${latencyGrowth >= 0 ? '+' : ''}${latencyGrowth.toFixed(1)} ms per second of run`,
    `  backlog (spans accepted, not yet normalized; ${samples.length} samples): peak ${peak.toLocaleString('en-US')}, at the end ${(last?.spans ?? NaN).toLocaleString('en-US')}, trend ${backlogGrowth >= 0 ? '+' : ''}${Math.round(backlogGrowth).toLocaleString('en-US')} spans/s; queue depth at the end ${last?.queueDepth ?? NaN} messages`,
    `  Warden's CPU per span accepted: ${((cpu / spans) * 1e6).toFixed(1)} µs (${spans.toLocaleString('en-US')} spans, ${cpu.toFixed(1)} s of CPU, all threads)`,
    behind
      ? `  ✗ Warden did NOT keep up: ${starved ? `it took ${load.rate.toLocaleString('en-US')} of the ${LOAD_SPANS_PER_SECOND.toLocaleString('en-US')} spans/s offered (${load.skipped} requests skipped), ` : ''}the backlog grew ${Math.round(backlogGrowth).toLocaleString('en-US')} spans/s, late probes waited ${thirds[2]!.toFixed(0)} ms against ${thirds[0]!.toFixed(0)} ms early — the percentiles above measure a queue, not detection`
      : '  ✓ Warden kept up: no growing backlog, late probes as fast as early ones',
  ];
}

/** Sends `count` probes at PROBES_PER_SECOND; resolves when every one was answered. */
async function sendProbes(prefix: string, count: number, accepted: Map<string, number>, sentAt: Map<string, number>): Promise<void> {
  const started = performance.now();
  const probes: Promise<void>[] = [];
  for (let n = 0; n < count; n++) {
    const sessionId = `${prefix}-${n}`;
    sentAt.set(sessionId, (performance.now() - started) / 1000);
    probes.push(
      post([toolSpan(sessionId, 'rm -rf /srv/prod/db', { 'warden.scope.deny': ['/srv/prod/**'] })]).then((status) => {
        if (status === 200) accepted.set(sessionId, performance.now());
      }),
    );
    const due = started + ((n + 1) * 1000) / PROBES_PER_SECOND;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    if (n % 2000 === 1999) process.stdout.write(`  … ${n + 1} probes sent\n`);
  }
  await Promise.all(probes);
}

/** Milliseconds from each accepted probe to its session's first verified webhook, sorted. */
function latenciesOf(accepted: Map<string, number>): number[] {
  const first = new Map<string, number>();
  for (const hook of receiver.received) {
    const data = (hook.verified as { data?: { session_id?: string } } | undefined)?.data;
    if (hook.status < 300 && data?.session_id && accepted.has(data.session_id) && !first.has(data.session_id)) first.set(data.session_id, hook.at);
  }
  const out: number[] = [];
  for (const [sessionId, t0] of accepted) {
    const t1 = first.get(sessionId);
    if (t1 !== undefined) out.push(t1 - t0);
  }
  return out.sort((a, b) => a - b);
}

try {
  process.stdout.write(`\nDetection latency (span accepted → webhook received), Warden in its own process, embedded mode:\n`);
  const load = await warden.backgroundLoad(LOAD_SPANS_PER_SECOND, WARMUP_SECONDS + PROBES / PROBES_PER_SECOND + 60);

  await new Promise((r) => setTimeout(r, 2_000)); // let the load settle
  if (WARMUP_SECONDS > 0) {
    const warmAccepted = new Map<string, number>();
    const warmStart = await scrape();
    const warmLoad = load.spans();
    const t0 = performance.now();
    await sendProbes('warmup', Math.round(WARMUP_SECONDS * PROBES_PER_SECOND), warmAccepted, new Map());
    const warmEnd = await scrape();
    const warm = latenciesOf(warmAccepted);
    const spans = (warmEnd.get('warden_events_received_total{stage="http",signal="traces"}') ?? NaN) - (warmStart.get('warden_events_received_total{stage="http",signal="traces"}') ?? NaN);
    const cpu = (warmEnd.get('process_cpu_seconds_total') ?? NaN) - (warmStart.get('process_cpu_seconds_total') ?? NaN);
    process.stdout.write(
      `  warm-up (not counted below): ${WARMUP_SECONDS} s of the same load and probes right after start — load ${Math.round((load.spans() - warmLoad) / ((performance.now() - t0) / 1000)).toLocaleString('en-US')} spans/s, ` +
        `probe latency p50 ${percentile(warm, 50).toFixed(1)} ms · p99 ${percentile(warm, 99).toFixed(1)} ms so far, Warden's CPU per span ${((cpu / spans) * 1e6).toFixed(1)} µs\n`,
    );
  }
  const accepted = new Map<string, number>();
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  const started = performance.now();
  const loadAtStart = load.spans();
  const skippedAtStart = load.skipped();
  const metricsAtStart = await scrape(); // also resets Warden's event-loop delay percentiles
  const backlog = sampleBacklog(warden);
  // This process's own delays stretch the measured latency too (it times both ends): shown beside.
  const ownLoop = monitorEventLoopDelay({ resolution: 10 });
  ownLoop.enable();
  const ownCpuAtStart = process.cpuUsage();
  await sendProbes('probe', PROBES, accepted, sentAt);
  const deadline = Date.now() + 60_000;
  const seen = (): number => latenciesOf(accepted).length;
  while (seen() < accepted.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const elapsed = (performance.now() - started) / 1000;
  const metricsAtEnd = await scrape();
  ownLoop.disable();
  const ownCpu = process.cpuUsage(ownCpuAtStart);
  await load.stop();
  await backlog.stop();

  const firstBySession = new Map<string, { at: number; revokedMs: number }>();
  for (const hook of receiver.received) {
    const verified = hook.verified as { timestamp?: string; data?: { session_id?: string } } | undefined;
    const sessionId = verified?.data?.session_id;
    if (hook.status < 300 && sessionId && !firstBySession.has(sessionId)) firstBySession.set(sessionId, { at: hook.at, revokedMs: Date.parse(verified.timestamp ?? '') });
  }
  const trend: Array<[number, number]> = [];
  const probeLines: string[] = [];
  // The webhook carries the revocation's own time (Warden's clock, this machine's): it splits each
  // probe's latency into detection (accepted → revoked) and delivery (revoked → received: the
  // revocation log's and the outbox's fsync, the signed POST).
  const toRevoked: number[] = [];
  const toReceived: number[] = [];
  for (const [sessionId, t0] of accepted) {
    const hook = firstBySession.get(sessionId);
    if (hook === undefined) continue;
    latencies.push(hook.at - t0);
    probeLines.push(`${(performance.timeOrigin + t0).toFixed(1)},${(hook.at - t0).toFixed(1)}`);
    trend.push([sentAt.get(sessionId)!, hook.at - t0]);
    if (Number.isFinite(hook.revokedMs)) {
      toRevoked.push(hook.revokedMs - (performance.timeOrigin + t0));
      toReceived.push(performance.timeOrigin + hook.at - hook.revokedMs);
    }
  }
  // BENCH_PROBES_FILE: each probe as a CSV line (accepted at, epoch ms; latency ms), to see when slow ones happened.
  if (process.env.BENCH_PROBES_FILE) fs.writeFileSync(process.env.BENCH_PROBES_FILE, probeLines.join('\n') + '\n');
  latencies.sort((a, b) => a - b);
  toRevoked.sort((a, b) => a - b);
  toReceived.sort((a, b) => a - b);
  const falseRevocations = [...firstBySession.keys()].filter((s) => s.startsWith('load-')).length;
  const loadRate = Math.round((load.spans() - loadAtStart) / elapsed);
  process.stdout.write(
    [
      `  probes: ${PROBES} sent, ${accepted.size} accepted, ${latencies.length} revoked with a verified webhook`,
      `  background load: ${loadRate.toLocaleString('en-US')} spans/s of ordinary work during the probes (${load.refused()} requests refused, ${load.skipped() - skippedAtStart} not sent while 64 waited for Warden), ${falseRevocations} background sessions revoked`,
      `  Warden's CPU during the probes: ${Math.round((100 * ((metricsAtEnd.get('process_cpu_seconds_total') ?? NaN) - (metricsAtStart.get('process_cpu_seconds_total') ?? NaN))) / elapsed)}% of one core`,
      `  Warden's event loop during the probes: delay p99 ${((metricsAtEnd.get('nodejs_eventloop_lag_p99_seconds') ?? NaN) * 1000).toFixed(1)} ms, max ${((metricsAtEnd.get('nodejs_eventloop_lag_max_seconds') ?? NaN) * 1000).toFixed(1)} ms; GC pauses: ${gcSummary(metricsAtStart, metricsAtEnd)}`,
      `  ${walSyncLine(metricsAtStart, metricsAtEnd)}`,
      `  this process's event loop (probes, webhook receiver; the load runs in a process of its own): delay p99 ${(ownLoop.percentile(99) / 1e6).toFixed(1)} ms, max ${(ownLoop.max / 1e6).toFixed(1)} ms; its CPU ${Math.round((ownCpu.user + ownCpu.system) / 1e4 / elapsed)}% of one core (the same two cores as Warden's)`,
      `  latency p50 ${percentile(latencies, 50).toFixed(1)} ms · p90 ${percentile(latencies, 90).toFixed(1)} ms · p99 ${percentile(latencies, 99).toFixed(1)} ms · max ${latencies.at(-1)!.toFixed(1)} ms (target p99 ≤ 50 ms)`,
      `  split at the revocation's time (in the webhook): accepted → revoked p50 ${percentile(toRevoked, 50).toFixed(1)} · p99 ${percentile(toRevoked, 99).toFixed(1)} ms; revoked → webhook received p50 ${percentile(toReceived, 50).toFixed(1)} · p99 ${percentile(toReceived, 99).toFixed(1)} ms (${toRevoked.length} probes; the two need not add up: each percentile is its own probe's)`,
      ...keptUp(trend, backlog.samples, metricsAtStart, metricsAtEnd, { rate: loadRate, skipped: load.skipped() - skippedAtStart }),
      '',
    ].join('\n'),
  );
} finally {
  await warden.stop();
  await receiver.stop();
}

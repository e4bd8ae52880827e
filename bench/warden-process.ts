/**
 * Warden as a benchmark sees it: its own process (`warden start`, embedded mode, a fresh data
 * directory, a random loopback port), as a user would run it, plus what every benchmark does to
 * it — wait until ready, post spans, read its /metrics, keep a background load of ordinary agent
 * work running, stop it and remove its data.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import { encodeOtlp } from '../decode/otlp/index.js';
import type { DecodedSpan } from '../decode/otlp/records.js';
import type { LoadCounters, LoadSettings } from './load-generator.js';

export const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

export interface WardenProcess {
  base: string;
  dataDir: string;
  dispatcher: Agent;
  child: ChildProcess;
  post(spans: DecodedSpan[]): Promise<number>;
  scrape(): Promise<Map<string, number>>;
  /**
   * Starts ordinary agent work (never revoking) at `spansPerSecond` in a process of its own
   * (load-generator.ts); the returned stop() resolves when that process has stopped. The request
   * bodies of the first `seconds` are encoded before the load starts, so that encoding does not
   * compete with Warden for the CPU during the measurement (past them, bodies are encoded as sent).
   */
  backgroundLoad(spansPerSecond: number, seconds?: number): Promise<BackgroundLoad>;
  stop(): Promise<void>;
}

/** How the background load's requests carry resources: `shared` (one per request, as SDKs export) or `per-span`. */
const LOAD_RESOURCE = process.env.BENCH_LOAD_RESOURCE ?? 'shared';

/** Whether Warden gets a session of its own (`own`, a service's) or shares this process's (`shared`). */
const WARDEN_SESSION = process.env.BENCH_WARDEN_SESSION ?? 'own';

const LOAD_GENERATOR = fileURLToPath(new URL('./load-generator.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');

/** The background load, running in a process of its own (load-generator.ts); its counts lag by up to 100 ms. */
export interface BackgroundLoad {
  spans(): number;
  refused(): number;
  /** Requests not sent because 64 were unanswered (Warden behind). */
  skipped(): number;
  stop(): Promise<void>;
}

/** A port for a bench's Warden, below Linux's ephemeral range (32768–60999), where a connection's own port can hold it: one run failed with EADDRINUSE. */
export function benchPort(): number {
  return 20_000 + Math.floor(Math.random() * 12_000);
}

export async function startWardenProcess(env: Record<string, string> = {}): Promise<WardenProcess> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-bench-'));
  const port = benchPort();
  const base = `http://127.0.0.1:${port}`;
  // BENCH_WARDEN_NODE_ARGS: extra node flags for the Warden process, e.g. `--cpu-prof` to profile it.
  const nodeArgs = (process.env.BENCH_WARDEN_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, path.join(ROOT, 'bin/warden.mjs'), 'start'], {
    // Warden runs as a service does — `warden start` in a terminal of its own, a systemd unit, a
    // container — in a session apart from the agents that call its hooks. Linux shares the CPU
    // between sessions before it shares it between their threads (autogroups, and cgroups for
    // units and containers), so an agent's hook process competes with Warden's threads as a
    // group, not one by one. BENCH_WARDEN_SESSION=shared runs Warden in this process's session
    // (the benches' setting before 2026-12-04), where each of its threads weighs as much as a hook.
    detached: WARDEN_SESSION !== 'shared',
    env: { ...process.env, WARDEN_HTTP_PORT: String(port), WARDEN_GRPC_PORT: '0', WARDEN_DATA_DIR: dataDir, WARDEN_LOG_LEVEL: 'warn', ...env },
    // BENCH_WARDEN_STDOUT: a file for the Warden process's standard output (e.g. with `--trace-deopt`).
    stdio: ['ignore', process.env.BENCH_WARDEN_STDOUT ? fs.openSync(process.env.BENCH_WARDEN_STDOUT, 'w') : 'ignore', 'inherit'],
  });
  const dispatcher = new Agent({ connections: 16, pipelining: 1 });
  // Scrapes on connections of their own: behind the load's requests they would wait seconds,
  // and the backlog would be sampled rarely exactly when it matters.
  const metricsDispatcher = new Agent({ connections: 2, pipelining: 1 });

  const postBody = async (body: Uint8Array): Promise<number> => {
    const res = await request(`${base}/v1/traces`, { method: 'POST', dispatcher, headers: { 'content-type': 'application/x-protobuf' }, body });
    await res.body.dump();
    return res.statusCode;
  };
  const post = (spans: DecodedSpan[]): Promise<number> => postBody(encodeOtlp('traces', spans, 'otlp_proto'));

  const scrape = async (): Promise<Map<string, number>> => {
    const res = await request(`${base}/metrics`, { dispatcher: metricsDispatcher });
    const text = await res.body.text();
    const values = new Map<string, number>();
    for (const line of text.split('\n')) {
      const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
      if (match) values.set(match[1]!, Number(match[2]));
    }
    return values;
  };

  const backgroundLoad = async (spansPerSecond: number, seconds = 90): Promise<BackgroundLoad> => {
    const settings: LoadSettings = { base, spansPerSecond, seconds, resource: LOAD_RESOURCE };
    const load = spawn(process.execPath, ['--import', TSX, LOAD_GENERATOR, JSON.stringify(settings)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    loads.add(load);
    let counters: LoadCounters = { type: 'counters', sent: 0, refused: 0, skipped: 0 };
    // Its last counts arrive before its channel closes; 'exit' alone may come first.
    const exited = Promise.all([new Promise((resolve) => load.once('exit', resolve)), new Promise((resolve) => load.once('disconnect', resolve))]).then(() => undefined);
    await new Promise<void>((resolve, reject) => {
      load.on('message', (message: LoadCounters | { type: 'started' }) => {
        if (message.type === 'counters') counters = message;
        else resolve();
      });
      void exited.then(() => reject(new Error('the background load stopped before it started')));
    });
    return {
      spans: () => counters.sent,
      refused: () => counters.refused,
      skipped: () => counters.skipped,
      stop: async () => {
        if (load.connected) load.send('stop');
        await exited;
        loads.delete(load);
      },
    };
  };

  // Stopped from outside (Ctrl-C, a timeout's SIGTERM), the bench takes its Warden and its data
  // directory with it instead of leaving a server running and its files behind.
  const loads = new Set<ChildProcess>();
  const onSignal = (signal: NodeJS.Signals): void => {
    for (const load of loads) load.kill('SIGKILL');
    if (child.exitCode === null) child.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
    process.stderr.write(`\nbench: stopped by ${signal}; Warden stopped, ${dataDir} removed\n`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  // A Warden in a session of its own outlives a bench that dies any other way: take it along.
  const onExit = (): void => {
    for (const load of loads) load.kill('SIGKILL');
    if (child.exitCode === null) child.kill('SIGKILL');
  };
  process.once('exit', onExit);

  const stop = async (): Promise<void> => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('exit', onExit);
    for (const load of loads) load.kill('SIGKILL');
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    await dispatcher.close();
    await metricsDispatcher.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      const res = await request(`${base}/readyz`, { dispatcher });
      await res.body.dump();
      if (res.statusCode === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline || child.exitCode !== null) {
      await stop();
      throw new Error('Warden did not become ready');
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { base, dataDir, dispatcher, child, post, scrape, backgroundLoad, stop };
}

/** One reading of how far Warden is behind: spans accepted by the receiver and not yet normalized. */
export interface BacklogSample {
  /** Seconds since sampling started. */
  at: number;
  /** Spans accepted (HTTP) minus spans normalized. */
  spans: number;
  /** Messages waiting in the in-process queue (`warden_queue_depth`). */
  queueDepth: number;
}

const metric = (values: Map<string, number>, name: string): number => values.get(name) ?? 0;

/** Reads Warden's /metrics every `everyMs` until stopped: the backlog over time. */
export function sampleBacklog(warden: WardenProcess, everyMs = 1_000): { samples: BacklogSample[]; stop(): Promise<void> } {
  const samples: BacklogSample[] = [];
  const started = performance.now();
  let running = true;
  const loop = (async () => {
    while (running) {
      const values = await warden.scrape().catch(() => undefined);
      if (values) {
        const accepted = metric(values, 'warden_events_received_total{stage="http",signal="traces"}');
        const normalized = metric(values, 'warden_events_received_total{stage="normalize",signal="traces"}');
        samples.push({ at: (performance.now() - started) / 1000, spans: accepted - normalized, queueDepth: metric(values, 'warden_queue_depth') });
      }
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    samples,
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

/** Least-squares slope of y over x (per unit of x); 0 with fewer than two points. */
export function slope(points: ReadonlyArray<readonly [number, number]>): number {
  if (points.length < 2) return 0;
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * The bucket bound under which the share `q` (0–1) of a histogram's observations fell between two
 * scrapes (the `_bucket{le="…"}` series of `name`), with their count: a histogram says "at most",
 * so this is an upper bound, as fine as the buckets.
 */
export function histogramBound(before: Map<string, number>, after: Map<string, number>, name: string, q: number): { le: number; count: number } {
  const buckets: Array<[number, number]> = [];
  for (const [series, value] of after) {
    const m = series.startsWith(`${name}_bucket{`) ? /le="([^"]+)"/.exec(series) : null;
    if (m) buckets.push([m[1] === '+Inf' ? Infinity : Number(m[1]), value - (before.get(series) ?? 0)]);
  }
  buckets.sort((a, b) => a[0] - b[0]);
  const count = buckets.at(-1)?.[1] ?? 0;
  const found = buckets.find(([, cumulative]) => cumulative >= q * count);
  return { le: found?.[0] ?? NaN, count };
}

/** `warden_wal_sync_seconds` between two scrapes, as a line: how long accepted requests waited for the disk. */
export function walSyncLine(before: Map<string, number>, after: Map<string, number>): string {
  const name = 'warden_wal_sync_seconds';
  const p50 = histogramBound(before, after, name, 0.5);
  const p99 = histogramBound(before, after, name, 0.99);
  const max = histogramBound(before, after, name, 1);
  const ms = (le: number): string => (Number.isFinite(le) ? `≤ ${+(le * 1000).toFixed(1)} ms` : '> 1 s');
  return `write-ahead log, each group written and synced before its answers: ${p50.count} groups, p50 ${ms(p50.le)}, p99 ${ms(p99.le)}, max ${ms(max.le)}`;
}

/**
 * What the embedded queue's write-ahead log costs a client: the time from sending an OTLP/HTTP
 * request to its 200 (the answer comes once the request is durable), p50/p99, with the log off,
 * on without fsync, and on with fsync (the default) — one request at a time, and 16 at once
 * (where concurrent requests share one fsync: group commit). Beside it, in the same run, two
 * yardsticks of this machine: `node -e 0` (a process start) and one 4 KiB write + fdatasync in
 * the temporary directory (what the log's fsync costs at least).
 *
 * Warden runs as its own process from the sources (`serve/cli/main.ts start` through tsx), embedded
 * mode, a fresh data directory per configuration, on a random loopback port. Each request carries
 * 10 tool spans of ordinary work. Prints figures; asserts nothing.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import { encodeOtlp } from '../decode/otlp/index.js';
import { toolSpan } from '../test/helpers/tool-span.js';
import { benchPort } from './warden-process.js';

const MAIN = fileURLToPath(new URL('../serve/cli/main.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');
const REQUESTS = Number(process.env.BENCH_WAL_REQUESTS ?? 2_000);
const CONCURRENCY = 16;
const WARMUP = 200;

interface Configuration {
  name: string;
  env: Record<string, string>;
}

const CONFIGURATIONS: Configuration[] = [
  { name: 'log off (WARDEN_WAL=false)', env: { WARDEN_WAL: 'false' } },
  { name: 'log on, WARDEN_WAL_FSYNC=never', env: { WARDEN_WAL: 'true', WARDEN_WAL_FSYNC: 'never' } },
  { name: 'log on, fsync always (default)', env: { WARDEN_WAL: 'true', WARDEN_WAL_FSYNC: 'always' } },
];

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function summary(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  return `p50 ${percentile(sorted, 50).toFixed(2)} ms · p99 ${percentile(sorted, 99).toFixed(2)} ms`;
}

async function startWarden(env: Record<string, string>): Promise<{ base: string; stop: () => Promise<void> }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-bench-wal-'));
  const port = benchPort();
  const child = spawn(process.execPath, ['--import', TSX, MAIN, 'start'], {
    env: { ...process.env, WARDEN_HTTP_PORT: String(port), WARDEN_GRPC_PORT: '0', WARDEN_DATA_DIR: dataDir, WARDEN_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      const res = await request(`${base}/readyz`);
      await res.body.dump();
      if (res.statusCode === 200) return { base, stop };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline || child.exitCode !== null) {
      await stop();
      throw new Error('Warden did not become ready');
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Sends `count` requests, `concurrency` at a time; the latency of each one answered 200. */
async function measure(base: string, dispatcher: Agent, count: number, concurrency: number): Promise<{ latencies: number[]; refused: number }> {
  const latencies: number[] = [];
  let refused = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const n = next++;
      const body = encodeOtlp('traces', Array.from({ length: 10 }, (_, i) => toolSpan(`bench-wal-${n % 50}`, i % 2 ? 'git status' : 'npm test')), 'otlp_proto');
      const t0 = performance.now();
      const res = await request(`${base}/v1/traces`, { method: 'POST', dispatcher, headers: { 'content-type': 'application/x-protobuf' }, body });
      await res.body.dump();
      if (res.statusCode === 200) latencies.push(performance.now() - t0);
      else refused++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { latencies, refused };
}

const nodeStarts: number[] = [];
for (let i = 0; i < 20; i++) {
  const t0 = performance.now();
  spawnSync(process.execPath, ['-e', '0']);
  nodeStarts.push(performance.now() - t0);
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-bench-fsync-'));
const fd = fs.openSync(path.join(dir, 'probe'), 'w', 0o600);
const syncs: number[] = [];
for (let i = 0; i < 200; i++) {
  const t0 = performance.now();
  fs.writeSync(fd, Buffer.alloc(4096, i), 0, 4096, i * 4096);
  fs.fdatasyncSync(fd);
  syncs.push(performance.now() - t0);
}
fs.closeSync(fd);
fs.rmSync(dir, { recursive: true, force: true });

process.stdout.write(`\nOTLP/HTTP request → 200, embedded mode, ${REQUESTS} requests of 10 spans per row (after ${WARMUP} warm-up):\n`);
process.stdout.write(`  baselines: \`node -e 0\` ${summary(nodeStarts)} (20 runs); 4 KiB write + fdatasync ${summary(syncs)} (200 runs)\n`);
for (const configuration of CONFIGURATIONS) {
  const warden = await startWarden(configuration.env);
  const dispatcher = new Agent({ connections: CONCURRENCY, pipelining: 1 });
  try {
    await measure(warden.base, dispatcher, WARMUP, CONCURRENCY);
    const one = await measure(warden.base, dispatcher, REQUESTS, 1);
    const many = await measure(warden.base, dispatcher, REQUESTS, CONCURRENCY);
    const refused = one.refused + many.refused;
    process.stdout.write(
      `  ${configuration.name.padEnd(34)} one at a time: ${summary(one.latencies)} | ${CONCURRENCY} at once: ${summary(many.latencies)}${refused > 0 ? ` (${refused} refused)` : ''}\n`,
    );
  } finally {
    await dispatcher.close();
    await warden.stop();
  }
}
process.stdout.write('\n');

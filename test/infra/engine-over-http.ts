/**
 * One ClickHouse for tests whose Warden instances run in separate processes: chdb in its own
 * process behind ClickHouse's HTTP interface (engine-over-http/); not a ClickHouse server. chdb
 * binds one data directory per process, so processes cannot share an embedded engine; this
 * process owns it and every other process reaches it over HTTP, exactly as a server
 * (`CLICKHOUSE_URL`, `openClickHouse({ url })`). test/infra/engine-over-http.test.ts runs
 * Warden's storage suite through it, as store/server.test.ts runs it against a server.
 *
 * Where a container engine is available, tests can use the ClickHouse server container
 * (clickhouse-container.ts) instead; `startSharedClickHouse` picks that when asked to.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startClickHouseContainer } from './clickhouse-container.js';
import { probeContainerRuntime } from './containers.js';

const MAIN = fileURLToPath(new URL('./engine-over-http/main.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;

export interface SharedClickHouse {
  url: string;
  username: string;
  password: string;
  /** What answers at `url`, said honestly in test output. */
  kind: string;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** chdb in its own process over a fresh temporary data directory, removed by `stop()`. */
export async function startEngineOverHttp(): Promise<SharedClickHouse> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-engine-http-'));
  const child = spawn(process.execPath, ['--import', TSX, MAIN, dataDir], { stdio: ['pipe', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '' } });
  running.add(child);
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => running.delete(child));
  const remove = () => fs.rmSync(dataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const lines = createInterface({ input: child.stdout! });
      const timer = setTimeout(() => reject(new Error(`the engine process did not listen within ${START_TIMEOUT_MS} ms: ${stderr}`)), START_TIMEOUT_MS);
      child.once('exit', (code, signal) => reject(new Error(`the engine process exited (code ${code}, signal ${signal}): ${stderr}`)));
      lines.on('line', (line) => {
        if (!line.startsWith('LISTENING ')) return;
        clearTimeout(timer);
        lines.close();
        resolve(line.slice('LISTENING '.length).trim());
      });
    });
    child.stdout!.resume();
    return {
      url,
      username: 'default',
      password: '',
      kind: 'chdb in its own process behind ClickHouse\'s HTTP interface (not a ClickHouse server)',
      stop: async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
          await exited;
          clearTimeout(timer);
        }
        remove();
      },
    };
  } catch (err) {
    child.kill('SIGKILL');
    await exited;
    remove();
    throw err;
  }
}

/**
 * A ClickHouse several processes share: the server container where a container engine answers
 * (and `preferContainer`), otherwise the embedded engine in its own process.
 */
export async function startSharedClickHouse({ preferContainer = true }: { preferContainer?: boolean } = {}): Promise<SharedClickHouse> {
  if (preferContainer && (await probeContainerRuntime()).available) {
    const c = await startClickHouseContainer();
    return { ...c, kind: 'ClickHouse server in a container' };
  }
  return startEngineOverHttp();
}

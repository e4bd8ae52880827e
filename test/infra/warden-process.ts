/**
 * `warden start` in its own process, for tests that must kill an instance for real (SIGKILL):
 * the sources through tsx, as test/helpers/run-cli.ts runs the command (never a stale build),
 * on its own data directory with the token file given, an ephemeral port, and the environment
 * given (nothing inherited but PATH). Resolves once the instance listens; `kill()` sends a
 * signal and waits for the exit. Every process still running when the test process exits is
 * killed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import type { TokenEntry } from '../../config/tokens.js';
import { waitFor } from '../helpers/wait-for.js';

const MAIN = fileURLToPath(new URL('../../serve/cli/main.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');

export interface WardenProcess {
  id: string;
  url: string;
  child: ChildProcess;
  dataDir: string;
  /** Everything the process wrote to stdout and stderr so far (the last 64 KiB). */
  output(): string;
  kill(signal: NodeJS.Signals): Promise<void>;
  /** Stops it (SIGTERM) if running and removes its data directory. */
  cleanup(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export async function startWardenProcess(id: string, env: Record<string, string>, tokens: TokenEntry[]): Promise<WardenProcess> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `warden-proc-${id}-`));
  fs.writeFileSync(path.join(dataDir, 'tokens.yaml'), stringify({ tokens }), { mode: 0o600 });
  const child = spawn(process.execPath, ['--import', TSX, MAIN, 'start', '--port', '0', '--data-dir', dataDir], {
    env: { PATH: process.env.PATH ?? '', WARDEN_LOG_LEVEL: 'warn', WARDEN_INSTANCE_ID: id, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let output = '';
  const append = (d: Buffer): void => {
    output = (output + d.toString()).slice(-65_536);
    if (process.env.WARDEN_TEST_LOG) process.stderr.write(`[${id}] ${d.toString()}`);
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => running.delete(child));
  const url = await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`warden ${id} exited (${child.exitCode}) before listening:\n${output}`);
      return /OTLP\/HTTP\s+(http:\/\/\S+)\/v1\/traces/.exec(output)?.[1];
    },
    (u) => u !== undefined,
    { what: `warden ${id} to listen`, timeoutMs: 90_000, intervalMs: 50 },
  );
  const kill = async (signal: NodeJS.Signals): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(signal);
      await exited;
    }
  };
  return {
    id,
    url: url!,
    child,
    dataDir,
    output: () => output,
    kill,
    cleanup: async () => {
      await kill('SIGTERM');
      fs.rmSync(dataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    },
  };
}

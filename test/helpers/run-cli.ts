/**
 * Runs the `warden` command as a user would (its own process) with a minimal environment,
 * optional stdin, and collects its exit code and output. The tests run the TypeScript sources
 * (serve/cli/main.ts through tsx), not the compiled build bin/warden.mjs runs, so they never see a
 * stale dist/; test/build.test.ts checks the build.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../serve/cli/main.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], options: { stdin?: string; env?: Record<string, string> } = {}): Promise<CliRun> {
  return runProcess(process.execPath, ['--import', TSX, MAIN, ...args], options);
}

/** Any command in its own process, with a minimal environment and optional stdin; its exit code and output. */
export function runProcess(command: string, args: string[], options: { stdin?: string; env?: Record<string, string>; cwd?: string } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...(options.cwd ? { cwd: options.cwd } : {}), env: { PATH: process.env.PATH ?? '', ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.on('error', () => {}); // a command that exits without reading its stdin
    child.stdin.end(options.stdin ?? '');
  });
}

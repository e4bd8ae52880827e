/**
 * Runs a hook client as an agent would — its own process, the hook JSON on stdin, a minimal
 * environment — and collects its exit code and output: the shell client (`bin/warden-hook`) or
 * the `warden hook` command.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runCli, type CliRun } from './run-cli.js';

const SHELL_CLIENT = fileURLToPath(new URL('../../bin/warden-hook', import.meta.url));

export type HookClient = 'shell' | 'node';

export function runHookClient(client: HookClient, agent: string, input: unknown, env: Record<string, string>): Promise<CliRun> {
  const stdin = typeof input === 'string' ? input : JSON.stringify(input);
  if (client === 'node') return runCli(['hook', agent], { stdin, env });
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', [SHELL_CLIENT, agent], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

/**
 * Runs a hook client as an agent would — its own process, the hook JSON on stdin, a minimal
 * environment — and collects its exit code and output: the shell client (`bin/warden-hook`) on
 * each of its two transports, or the `warden hook` command.
 *
 * - `shell`: the default transport against a Warden on this machine, bash speaking HTTP itself.
 *   Its PATH holds only the programs that path may start (sh, bash, and tr and cut for an error's
 *   message) — no curl and no cat — so a fallback to curl fails the test instead of passing it.
 * - `shell-curl`: `WARDEN_HOOK_TRANSPORT=curl`, the POSIX shell with cat and curl (what runs where
 *   there is no bash, or Warden is on another host or behind https).
 */
import { mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runCli, runProcess, type CliRun } from './run-cli.js';

const SHELL_CLIENT = fileURLToPath(new URL('../../bin/warden-hook', import.meta.url));

export type HookClient = 'shell' | 'shell-curl' | 'node';

export const HOOK_CLIENTS: readonly HookClient[] = ['shell', 'shell-curl', 'node'];

let bashOnlyPath: string | undefined;

/** A PATH with sh, bash, tr and cut and nothing else (made once per test process). */
function bashOnlyPathDir(): string {
  if (bashOnlyPath) return bashOnlyPath;
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'warden-hook-path-')), 'bin');
  mkdirSync(dir);
  for (const program of ['sh', 'bash', 'tr', 'cut']) {
    const found = execFileSync('/bin/sh', ['-c', `command -v ${program}`], { encoding: 'utf8' }).trim();
    if (!found) throw new Error(`the hook client tests need ${program} on PATH`);
    symlinkSync(found, path.join(dir, program));
  }
  return (bashOnlyPath = dir);
}

/** How to start the shell client on a transport: the command, its arguments, extra environment. */
function shellClientEnv(client: Exclude<HookClient, 'node'>, env: Record<string, string>): Record<string, string> {
  return client === 'shell' ? { ...env, PATH: bashOnlyPathDir() } : { ...env, WARDEN_HOOK_TRANSPORT: 'curl' };
}

export function runHookClient(client: HookClient, agent: string, input: unknown, env: Record<string, string>, args: string[] = []): Promise<CliRun> {
  const stdin = typeof input === 'string' ? input : JSON.stringify(input);
  if (client === 'node') return runCli(['hook', agent, ...args], { stdin, env });
  return runProcess('/bin/sh', [SHELL_CLIENT, agent, ...args], { stdin, env: shellClientEnv(client, env) });
}

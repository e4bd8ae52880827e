/**
 * Runs a hook client as an agent would — its own process, the hook JSON on stdin, a minimal
 * environment — and collects its exit code and output: the shell client (`bin/warden-hook`) or
 * the `warden hook` command.
 */
import { fileURLToPath } from 'node:url';
import { runCli, runProcess, type CliRun } from './run-cli.js';

const SHELL_CLIENT = fileURLToPath(new URL('../../bin/warden-hook', import.meta.url));

export type HookClient = 'shell' | 'node';

export function runHookClient(client: HookClient, agent: string, input: unknown, env: Record<string, string>): Promise<CliRun> {
  const stdin = typeof input === 'string' ? input : JSON.stringify(input);
  if (client === 'node') return runCli(['hook', agent], { stdin, env });
  return runProcess('/bin/sh', [SHELL_CLIENT, agent], { stdin, env });
}

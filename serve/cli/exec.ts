/**
 * `warden exec [--session ID] [--agent NAME] [--goal TEXT] [--fail-open] -- <command…>`: a gated
 * shell for agents without hooks (Aider, scripts, anything that runs commands). The command is
 * sent to the gate (`POST /api/v1/gate`, as the session's intended `Bash` call) and runs only when
 * the gate allows it; afterwards its execution — exit code, duration — is reported as a GenAI
 * `execute_tool` span carrying the same tool-call id, so the timeline pairs the two. stdin, stdout
 * and stderr are the command's own, and its exit code is `warden exec`'s.
 *
 * One argument is a shell command line, run by `WARDEN_EXEC_SHELL -c` (default /bin/sh); several
 * are a program and its arguments, run without a shell (the gate sees them shell-quoted).
 *
 * Answers: allow runs the command. deny prints the reason and exits 126 without running it. ask
 * (a finding at the policy's `ask_at`) runs the command only when a person confirms on a terminal
 * (stdin and stderr both TTYs); otherwise the gate is told nobody can be asked, which it answers
 * as a deny. When Warden is unreachable, times out or answers with an error the command is refused
 * (126, fail closed) unless `--fail-open` or WARDEN_HOOK_FAIL=open, which run it with a warning.
 *
 * The session is --session, else WARDEN_SESSION_ID, else one generated for the calling process
 * (its parent process id) and printed once on stderr: the calls of one agent process share a
 * session, so a revoked session stays revoked for its next command (`sessionFor`).
 */
import type { Command } from 'commander';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { hookConfig, type HookConfig } from '../../harness/hooks/hook-config.js';

/** Exit code when Warden refuses the command (denied, not confirmed, or unreachable while failing closed). */
export const EXIT_REFUSED = 126;
const EXIT_USAGE = 64;
const EXIT_NOT_FOUND = 127;
const DEFAULT_SHELL = '/bin/sh';

type Env = Record<string, string | undefined>;

export interface ExecOptions {
  session?: string;
  agent?: string;
  goal?: string;
  failOpen?: boolean;
}

interface GateAnswer {
  decision: 'allow' | 'ask' | 'deny';
  reason: string;
  remedy: string;
  decision_id: string;
}

class Unreachable extends Error {
  override readonly name = 'Unreachable';
}

/** A word as the shell reads it back: bare when safe, single-quoted otherwise. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_/.,:=@%+-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

/** The command text the gate sees, and how it is run. */
export function commandOf(words: readonly string[], env: Env = process.env): { text: string; file: string; args: string[] } {
  if (words.length === 1) return { text: words[0]!, file: env.WARDEN_EXEC_SHELL || DEFAULT_SHELL, args: ['-c', words[0]!] };
  return { text: words.map(shellQuote).join(' '), file: words[0]!, args: words.slice(1) };
}

/**
 * The session of this call: the one given, else the calling process's (a file named for the
 * parent process id in the temporary directory ($TMPDIR or /tmp), owner-only, shared with
 * bin/warden-shell), created with a fresh id when there is none yet (`created: true`).
 */
export function sessionFor(given: string | undefined, env: Env = process.env, ppid = process.ppid): { id: string; created: boolean } {
  const named = given || env.WARDEN_SESSION_ID;
  if (named) return { id: named, created: false };
  const file = path.join(os.tmpdir(), `warden-session-${ppid}`);
  try {
    const stat = fs.statSync(file);
    const id = fs.readFileSync(file, 'utf8').trim();
    // Another user's file (a shared /tmp) is not trusted to name our session.
    if (stat.uid === process.getuid?.() && /^[\w.:-]{1,200}$/.test(id)) return { id, created: false };
  } catch {
    // none yet
  }
  const id = `exec-${randomBytes(8).toString('hex')}`;
  try {
    fs.writeFileSync(file, `${id}\n`, { mode: 0o600 });
  } catch {
    // Unwritable: this call still has its session; the next one makes another.
  }
  return { id, created: true };
}

const str = (value: string) => ({ stringValue: value });

async function post(config: HookConfig, urlPath: string, body: unknown): Promise<unknown> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (config.token) headers.authorization = `Bearer ${config.token}`;
  let response: Response;
  try {
    response = await fetch(`${config.url}${urlPath}`, { method: 'POST', headers, body: JSON.stringify(body), signal: AbortSignal.timeout(config.timeoutMs) });
  } catch (err) {
    const cause = err instanceof Error && err.name === 'TimeoutError' ? `no answer within ${config.timeoutMs} ms` : String((err as Error).cause ?? err);
    throw new Unreachable(`${config.url} unreachable: ${cause}`);
  }
  const text = await response.text().catch(() => '');
  if (!response.ok) throw new Unreachable(`${config.url}${urlPath} answered ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return {};
  }
}

function resource(agent: string) {
  return { attributes: [{ key: 'service.name', value: str(agent) }] };
}

export interface Execution {
  session: string;
  agent: string;
  callId: string;
  command: string;
  cwd: string;
  startNs: bigint;
  endNs: bigint;
  exitCode: number;
  /** The signal that ended the command, if one did. */
  signal: string;
}

/** The execution as a GenAI execute_tool span (OTLP/JSON), paired with the intent by its call id. */
export function executionSpan(e: Execution) {
  const random = randomBytes(24).toString('hex');
  const failed = e.exitCode !== 0;
  const attributes = [
    { key: 'gen_ai.operation.name', value: str('execute_tool') },
    { key: 'gen_ai.tool.name', value: str('Bash') },
    { key: 'gen_ai.tool.call.id', value: str(e.callId) },
    { key: 'gen_ai.conversation.id', value: str(e.session) },
    { key: 'warden.action.phase', value: str('execution') },
    { key: 'warden.action.command', value: str(e.command) },
    { key: 'warden.action.cwd', value: str(e.cwd) },
    { key: 'process.exit.code', value: { intValue: String(e.exitCode) } },
    { key: 'warden.exec.duration_ms', value: { doubleValue: Number(e.endNs - e.startNs) / 1e6 } },
  ];
  if (failed) attributes.push({ key: 'error.type', value: str(e.signal || `exit ${e.exitCode}`) });
  return {
    resourceSpans: [{
      resource: resource(e.agent),
      scopeSpans: [{
        scope: { name: 'warden.exec', version: '0.1.0' },
        spans: [{
          traceId: random.slice(0, 32),
          spanId: random.slice(32),
          name: 'execute_tool Bash',
          kind: 1,
          startTimeUnixNano: e.startNs.toString(),
          endTimeUnixNano: e.endNs.toString(),
          attributes,
          status: failed ? { code: 2, message: e.signal || `exit code ${e.exitCode}` } : { code: 1 },
        }],
      }],
    }],
  };
}

const nowNs = (): bigint => BigInt(Date.now()) * 1_000_000n;

/** Asks the person at the terminal; true on y/yes. */
async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await new Promise<string>((resolve) => {
      rl.question(question, resolve);
      rl.once('close', () => resolve(''));
    });
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

/** Runs the command with the terminal's streams; its exit code (128 + n for a signal) and signal name. */
function run(file: string, args: string[]): Promise<{ exitCode: number; signal: string }> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { stdio: 'inherit' });
    // The terminal's Ctrl-C reaches the command itself; Warden stays to report how it ended.
    const forward = (signal: NodeJS.Signals) => () => void child.kill(signal);
    const handlers = { SIGINT: () => {}, SIGTERM: forward('SIGTERM'), SIGHUP: forward('SIGHUP') };
    for (const [signal, handler] of Object.entries(handlers)) process.on(signal, handler);
    const done = (result: { exitCode: number; signal: string }) => {
      for (const [signal, handler] of Object.entries(handlers)) process.off(signal, handler);
      resolve(result);
    };
    child.once('error', (err: NodeJS.ErrnoException) => {
      process.stderr.write(`warden exec: cannot run ${file}: ${err.code === 'ENOENT' ? 'not found' : err.message}\n`);
      done({ exitCode: err.code === 'ENOENT' ? EXIT_NOT_FOUND : EXIT_REFUSED, signal: '' });
    });
    child.once('exit', (code, signal) => {
      if (signal) done({ exitCode: 128 + (os.constants.signals[signal] ?? 0), signal });
      else done({ exitCode: code ?? 1, signal: '' });
    });
  });
}

/** The whole command; resolves with the exit code. */
export async function execCommand(words: readonly string[], options: ExecOptions, env: Env = process.env): Promise<number> {
  if (words.length === 0) {
    process.stderr.write('warden exec: no command given (warden exec -- <command…>)\n');
    return EXIT_USAGE;
  }
  const config = hookConfig(env);
  const failOpen = options.failOpen === true || config.fail === 'open';
  const agent = options.agent || config.serviceName || 'exec';
  const session = sessionFor(options.session, env);
  if (session.created) process.stderr.write(`warden exec: session ${session.id} (set WARDEN_SESSION_ID to choose one)\n`);
  const command = commandOf(words, env);
  const callId = `exec_${randomBytes(12).toString('hex')}`;
  const cwd = process.cwd();
  const interactive = process.stdin.isTTY === true && process.stderr.isTTY === true;

  let answer: GateAnswer;
  try {
    // The goal travels with the call: the gate applies it before deciding (and records it).
    answer = (await post(config, '/api/v1/gate', {
      session_id: session.id,
      tool: 'Bash',
      command: command.text,
      tool_call_id: callId,
      cwd,
      agent,
      can_ask: interactive,
      ...(options.goal ? { declaration: { goal: options.goal } } : {}),
    })) as GateAnswer;
    if (!['allow', 'ask', 'deny'].includes(answer.decision)) throw new Unreachable(`Warden's gate answered without a decision`);
  } catch (err) {
    if (!(err instanceof Unreachable)) throw err;
    if (!failOpen) {
      process.stderr.write(`warden exec: refused: Warden could not check this command (${err.message}); commands are refused until Warden answers (--fail-open or WARDEN_HOOK_FAIL=open to run them anyway)\n`);
      return EXIT_REFUSED;
    }
    process.stderr.write(`warden exec: ${err.message} (fail open: running it unchecked)\n`);
    answer = { decision: 'allow', reason: '', remedy: '', decision_id: '' };
  }

  const said = `${answer.reason}${answer.remedy ? ` — ${answer.remedy}` : ''}`;
  if (answer.decision === 'deny') {
    process.stderr.write(`warden exec: denied: ${said}\n`);
    return EXIT_REFUSED;
  }
  if (answer.decision === 'ask') {
    const yes = interactive && (await confirm(`warden exec: Warden asks before this runs: ${said}\nRun ${JSON.stringify(command.text)}? [y/N] `));
    if (!yes) {
      process.stderr.write(`warden exec: not run: ${interactive ? 'not confirmed' : 'a person must confirm it and there is no terminal to ask on'}: ${said}\n`);
      return EXIT_REFUSED;
    }
  }

  const startNs = nowNs();
  const { exitCode, signal } = await run(command.file, command.args);
  const endNs = nowNs();
  try {
    await post(config, '/v1/traces', executionSpan({ session: session.id, agent, callId, command: command.text, cwd, startNs, endNs, exitCode, signal }));
  } catch (err) {
    if (!(err instanceof Unreachable)) throw err;
    process.stderr.write(`warden exec: the execution could not be reported (${err.message})\n`);
  }
  return exitCode;
}

const HELP = `
Exit code: the command's own (128 + n when signal n ended it); 126 when Warden refused it
(denied, not confirmed, or Warden unreachable while failing closed); 64 without a command.

Environment:
  WARDEN_URL, WARDEN_TOKEN   where Warden is, and a token with the ingest role
  WARDEN_SESSION_ID          the session (default: one per calling process, printed once)
  OTEL_SERVICE_NAME          the agent id (default: exec)
  WARDEN_HOOK_FAIL           closed (default) | open: what happens while Warden is unreachable
  WARDEN_HOOK_TIMEOUT_MS     per request to Warden (default 1500)
  WARDEN_EXEC_SHELL          the shell that runs a one-argument command line (default /bin/sh)

Examples:
  warden exec --session fix-42 --goal "Fix the flaky test in api/" -- npm test
  warden exec -- 'git push --force origin main'
  SHELL=$(command -v warden-shell) aider      (the shell wrapper gates each aider command the same way)`;

export function registerExecCommand(program: Command): void {
  program.enablePositionalOptions();
  program
    .command('exec')
    .description('run a command only when Warden\'s gate allows it, and record how it ended (for agents without hooks)')
    .option('--session <id>', 'the session (default WARDEN_SESSION_ID, or one per calling process)')
    .option('--agent <name>', 'agent id the events carry (default OTEL_SERVICE_NAME or exec)')
    .option('--goal <text>', "declare the session's goal (what the agent was asked to do)")
    .option('--fail-open', 'run the command unchecked when Warden cannot be reached (default: refuse it)')
    .argument('<command...>', 'a shell command line (one argument) or a program and its arguments')
    .passThroughOptions()
    .addHelpText('after', HELP)
    .action(async (words: string[], options: ExecOptions) => {
      process.exitCode = await execCommand(words, options);
    });
}

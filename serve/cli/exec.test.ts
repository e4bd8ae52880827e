/**
 * `warden exec` and the shell wrapper `bin/warden-shell`, each run as its own process the way an
 * agent runs it, against Warden built by the same assembly as `warden start`: an allowed command
 * runs with its stdin, stdout, stderr and exit code passed through, and the trail pairs its intent
 * with its execution (exit code, error); a denied one (a revoked session, a call beyond the goal)
 * does not run — a marker file it would create stays absent — and exits 126 with the reason; an
 * unreachable Warden refuses it (fail closed) or runs it with a warning (fail open); without a
 * session id one is generated per calling process and printed once.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../../test/helpers/wait-for.js';
import { startTestWarden, type TestWarden } from '../../test/helpers/test-warden.js';
import { runCli, runProcess, type CliRun } from '../../test/helpers/run-cli.js';

const INGEST_TOKEN = 'wdn_test_exec_ingest_000000000';
const OPERATOR_TOKEN = 'wdn_test_exec_operator_0000000';
const SHELL_WRAPPER = fileURLToPath(new URL('../../bin/warden-shell', import.meta.url));

type Client = 'exec' | 'shell';

/** Runs one command line through the client: `warden exec -- <line>` or `warden-shell -c <line>`. */
function gated(client: Client, line: string, env: Record<string, string>, options: { stdin?: string; cwd?: string; args?: string[] } = {}): Promise<CliRun> {
  if (client === 'exec') return runCli(['exec', ...(options.args ?? []), '--', line], { env, ...(options.stdin ? { stdin: options.stdin } : {}) });
  return runProcess('/bin/sh', [SHELL_WRAPPER, '-c', line], { env, ...(options.stdin ? { stdin: options.stdin } : {}) });
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

let warden: TestWarden;
let work: string;
let env: Record<string, string>;

before(async () => {
  warden = await startTestWarden({}, { tokens: [
    { name: 'agents', token: INGEST_TOKEN, tenant: 'default', roles: ['ingest'] },
    { name: 'alice', token: OPERATOR_TOKEN, tenant: 'default', roles: ['read', 'operate'] },
  ] });
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-exec-'));
  env = { WARDEN_URL: warden.url, WARDEN_TOKEN: INGEST_TOKEN, TMPDIR: work };
});

after(async () => {
  await warden.cleanup();
  fs.rmSync(work, { recursive: true, force: true });
});

async function api(method: 'GET' | 'POST', urlPath: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${warden.url}${urlPath}`, {
    method,
    headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

type Event = { command: string; phase: string; status: string; exit_code: number | null; error_type: string; agent_id: string; destructive: boolean; end_time_ns: string; time_ns: string };
type Call = { tool_call_id: string; intent: Event | null; execution: Event | null };

for (const client of ['exec', 'shell'] as Client[]) {
  describe(`${client === 'exec' ? 'warden exec' : 'warden-shell'}`, () => {
    const sid = (name: string) => `${client}-${name}`;

    test('an allowed command runs with its stdin, output and exit code; the trail pairs intent and execution', async () => {
      const s = sid('allowed');
      const run = await gated(client, 'cat; echo "to stderr" >&2; exit 3', { ...env, WARDEN_SESSION_ID: s, OTEL_SERVICE_NAME: 'aider' }, { stdin: 'from stdin\n' });
      assert.deepEqual(run, { code: 3, stdout: 'from stdin\n', stderr: 'to stderr\n' });

      const timeline = await waitFor(
        async () => (await api('GET', `/api/v1/sessions/${s}/timeline`)).json as { items?: Call[] },
        (t) => t.items?.some((i) => i.intent !== null && i.execution !== null) ?? false,
        { what: 'the intent and its execution in the trail' },
      );
      const call = timeline.items!.find((i) => i.intent !== null && i.execution !== null)!;
      assert.match(call.tool_call_id, /^exec_[0-9a-f]{24}$/);
      assert.equal(call.intent!.command, 'cat; echo "to stderr" >&2; exit 3');
      assert.equal(call.intent!.agent_id, 'aider');
      assert.equal(call.execution!.exit_code, 3);
      assert.equal(call.execution!.status, 'error');
      assert.equal(call.execution!.error_type, 'exit 3');
      assert.ok(BigInt(call.execution!.end_time_ns) >= BigInt(call.execution!.time_ns));
    });

    test('a revoked session: the next command is denied with the reason and does not run', async () => {
      const s = sid('revoked');
      assert.equal((await gated(client, 'true', { ...env, WARDEN_SESSION_ID: s })).code, 0);
      await waitFor(async () => (await api('GET', `/api/v1/sessions/${s}`)).status, (st) => st === 200, { what: 'the session' });
      assert.equal((await api('POST', `/api/v1/sessions/${s}/revoke`, { reason: 'dropped the staging database' })).status, 200);

      const marker = path.join(work, `${s}.marker`);
      const denied = await gated(client, `touch ${marker}`, { ...env, WARDEN_SESSION_ID: s });
      assert.equal(denied.code, 126);
      assert.equal(denied.stdout, '');
      assert.match(denied.stderr, /denied: .*operator:alice.*dropped the staging database/);
      assert.equal(fs.existsSync(marker), false, 'the denied command ran');
      const stopped = await waitFor(
        async () => (await api('GET', `/api/v1/gate/decisions?session=${s}&decision=deny`)).json as { decisions?: Array<{ command: string }> },
        (d) => (d.decisions?.length ?? 0) > 0,
        { what: 'the deny in gate_decisions' },
      );
      assert.equal(stopped.decisions![0]!.command, `touch ${marker}`);
    });

    test('Warden unreachable: refused (fail closed); WARDEN_HOOK_FAIL=open runs it with a warning', async () => {
      const nowhere = { ...env, WARDEN_URL: `http://127.0.0.1:${await closedPort()}`, WARDEN_SESSION_ID: sid('unreachable') };
      const marker = path.join(work, `${sid('unreachable')}.marker`);
      const refused = await gated(client, `touch ${marker}`, nowhere);
      assert.equal(refused.code, 126);
      assert.match(refused.stderr, /refused: Warden could not check this command \(.*unreachable.*\)/);
      assert.equal(fs.existsSync(marker), false, 'the command ran while Warden was unreachable');

      const open = await gated(client, `touch ${marker} && echo ran`, { ...nowhere, WARDEN_HOOK_FAIL: 'open' });
      assert.equal(open.code, 0);
      assert.equal(open.stdout, 'ran\n');
      assert.match(open.stderr, /unreachable.*running it unchecked/);
      assert.equal(fs.existsSync(marker), true);
    });

    test('a token Warden refuses fails closed like an unreachable Warden', async () => {
      const marker = path.join(work, `${sid('bad-token')}.marker`);
      const refused = await gated(client, `touch ${marker}`, { ...env, WARDEN_TOKEN: 'wdn_not_a_known_token_000', WARDEN_SESSION_ID: sid('bad-token') });
      assert.equal(refused.code, 126);
      assert.match(refused.stderr, /answered 401/);
      assert.equal(fs.existsSync(marker), false);
    });

    test('without WARDEN_SESSION_ID the calling process gets one session, printed once', async () => {
      const tmp = fs.mkdtempSync(path.join(work, 'session-'));
      const first = await gated(client, 'echo one', { ...env, TMPDIR: tmp });
      assert.equal(first.code, 0, first.stderr);
      const printed = /session (exec-[0-9a-f]{16}) \(set WARDEN_SESSION_ID/.exec(first.stderr);
      assert.ok(printed, first.stderr);
      const second = await gated(client, 'echo two', { ...env, TMPDIR: tmp });
      assert.deepEqual(second, { code: 0, stdout: 'two\n', stderr: '' });
      const calls = await waitFor(
        async () => (await api('GET', `/api/v1/sessions/${printed[1]}/timeline`)).json as { items?: Call[] },
        (t) => (t.items?.filter((i) => i.intent !== null).length ?? 0) === 2,
        { what: 'both commands in the generated session' },
      );
      assert.deepEqual(calls.items!.map((i) => i.intent?.command).filter(Boolean), ['echo one', 'echo two']);
    });
  });
}

test('warden exec: a command beyond the declared goal is denied before it runs', async () => {
  const s = 'exec-goal';
  const declared = await runCli(['exec', '--session', s, '--goal', 'Fix the typo in README.md', '--', 'true'], { env });
  assert.equal(declared.code, 0, declared.stderr);
  // The goal is ingested like any record; the next call is judged once the session holds it.
  await waitFor(async () => (await api('GET', `/api/v1/sessions/${s}`)).json.goal, (goal) => goal === 'Fix the typo in README.md', { what: 'the declared goal' });
  const denied = await runCli(['exec', '--session', s, '--', 'git', 'push', '--force', 'origin', 'main'], { env });
  assert.equal(denied.code, 126);
  assert.match(denied.stderr, /denied: .*goal_deviation.*git push --force origin main/);
});

test('warden exec: a program with arguments runs without a shell, quoted for the gate', async () => {
  const s = 'exec-argv';
  const run = await runCli(['exec', '--session', s, '--', 'printf', '%s|', 'a b', "it's"], { env });
  assert.deepEqual(run, { code: 0, stdout: "a b|it's|", stderr: '' });
  const timeline = await waitFor(
    async () => (await api('GET', `/api/v1/sessions/${s}/timeline`)).json as { items?: Call[] },
    (t) => t.items?.some((i) => i.intent !== null) ?? false,
    { what: 'the intent' },
  );
  assert.equal(timeline.items!.find((i) => i.intent !== null)!.intent!.command, `printf '%s|' 'a b' 'it'\\''s'`);
});

test('warden-shell takes only -c: an interactive shell or a script is refused, not run ungated', async () => {
  const marker = path.join(work, 'script.marker');
  const script = path.join(work, 'script.sh');
  fs.writeFileSync(script, `touch ${marker}\n`);
  for (const args of [[], [script], ['-i']]) {
    const run = await runProcess('/bin/sh', [SHELL_WRAPPER, ...args], { env });
    assert.equal(run.code, 64, JSON.stringify(args));
    assert.match(run.stderr, /only `-c <command>` is run/);
  }
  assert.equal(fs.existsSync(marker), false);
  // Aider's form (`$SHELL -c <command>`) with a login flag and the positional parameters after it.
  const run = await runProcess('/bin/sh', [SHELL_WRAPPER, '-lc', 'echo "$0:$1"', 'name', 'arg'], { env: { ...env, WARDEN_SESSION_ID: 'shell-lc' } });
  assert.deepEqual(run, { code: 0, stdout: 'name:arg\n', stderr: '' });
});

test('warden-shell: a command with quotes, backslashes, control characters and lines reaches the gate as written', async () => {
  const s = 'shell-escaping';
  const line = `printf '%s\\n' "a \\"quoted\\" \\\\ word" 'tab\there' 'bell\u0007'\ncat <<'EOF'\nline two\nEOF\n`;
  const run = await runProcess('/bin/sh', [SHELL_WRAPPER, '-c', line], { env: { ...env, WARDEN_SESSION_ID: s } });
  assert.deepEqual(run, { code: 0, stdout: 'a "quoted" \\ word\ntab\there\nbell\u0007\nline two\n', stderr: '' });
  const timeline = await waitFor(
    async () => (await api('GET', `/api/v1/sessions/${s}/timeline`)).json as { items?: Call[] },
    (t) => t.items?.some((i) => i.intent !== null) ?? false,
    { what: 'the intent' },
  );
  assert.equal(timeline.items!.find((i) => i.intent !== null)!.intent!.command, line);
});

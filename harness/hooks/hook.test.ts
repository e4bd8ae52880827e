/**
 * The hook clients end to end, spawned as the agent would with the hook JSON on stdin, against
 * Warden built by the same assembly as `warden start`: the shell client (`bin/warden-hook`, bash
 * speaking HTTP itself and, with WARDEN_HOOK_TRANSPORT=curl, sh with curl) and `warden hook`. PreToolUse is decided by the gate before the tool runs — allowed calls get an
 * empty answer, a call that deviates from the session's goal is denied in the agent's own format
 * with a reason naming the detector; a revoked session is denied; PostToolUse never blocks and
 * pairs with its intent in the audit trail. Large payloads (a 40 KB apply_patch, a 12 KB heredoc)
 * pass. An unreachable Warden or a refused token denies (fail closed) or allows with a warning
 * (WARDEN_HOOK_FAIL=open); an unreadable payload is answered with a clear message.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { waitFor } from '../../test/helpers/wait-for.js';
import { startHookTestWarden, type TestWarden } from '../../test/helpers/test-warden.js';
import { HOOK_CLIENTS, runHookClient } from '../../test/helpers/run-hook-client.js';

const HOOK_TOKEN = 'wdn_test_hook_ingest_00000000';
const OPERATOR_TOKEN = 'wdn_test_hook_operator_000000';

function preToolUse(sessionId: string, toolUseId: string, command: string, tool = 'Bash'): Record<string, unknown> {
  return {
    session_id: sessionId, transcript_path: '/home/dev/.claude/projects/x.jsonl', cwd: '/repo', permission_mode: 'default',
    hook_event_name: 'PreToolUse', tool_name: tool, tool_input: { command, description: 'test' }, tool_use_id: toolUseId,
  };
}

function decisionOf(stdout: string): Record<string, string> | null {
  if (stdout.trim() === '') return null;
  return (JSON.parse(stdout) as { hookSpecificOutput: Record<string, string> }).hookSpecificOutput;
}

let warden: TestWarden;
let env: Record<string, string>;

before(async () => {
  ({ warden, env } = await startHookTestWarden(HOOK_TOKEN, OPERATOR_TOKEN));
});

after(async () => {
  await warden.cleanup();
});

async function api(method: 'GET' | 'POST', urlPath: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${warden.url}${urlPath}`, {
    method,
    headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

for (const client of HOOK_CLIENTS) {
  describe(`${client} client`, () => {
    const run = (agent: string, input: unknown, e: Record<string, string> = env) => runHookClient(client, agent, input, e);
    const sid = (name: string) => `${client}-${name}`;

    test('Claude Code: allowed calls pass silently and are recorded as intent + execution', async () => {
      const s = sid('cc-1');
      const prompt = { session_id: s, cwd: '/repo', hook_event_name: 'UserPromptSubmit', prompt: 'Clean up the build output in /repo/data' };
      assert.deepEqual(await run('claude-code', prompt), { code: 0, stdout: '', stderr: '' });
      // A single file: destructive, rated low, so a new session's call passes (a recursive delete
      // of data/ would be asked: the command floor, gate.command_ask_at).
      const allowed = await run('claude-code', preToolUse(s, 'toolu_01', 'rm data/report.csv'));
      assert.deepEqual(allowed, { code: 0, stdout: '', stderr: '' });
      const post = await run('claude-code', { ...preToolUse(s, 'toolu_01', 'rm data/report.csv'), hook_event_name: 'PostToolUse', tool_response: { stdout: '' } });
      assert.deepEqual(post, { code: 0, stdout: '', stderr: '' });

      type Call = { tool_call_id: string; intent: { command: string; destructive: boolean; targets: string[]; agent_id: string } | null; execution: { source: string } | null };
      const timeline = await waitFor(
        async () => (await api('GET', `/api/v1/sessions/${s}/timeline`)).json as { items?: Call[] },
        (t) => t.items?.some((i) => i.execution != null) ?? false,
        { what: 'the hook events in the audit trail' },
      );
      const call = timeline.items!.find((i) => i.tool_call_id === 'toolu_01')!;
      assert.equal(call.intent!.command, 'rm data/report.csv');
      assert.equal(call.intent!.destructive, true, JSON.stringify(call.intent));
      assert.deepEqual(call.intent!.targets, ['/repo/data/report.csv']);
      assert.equal(call.intent!.agent_id, 'claude-code');
      assert.equal(call.execution!.source, 'hook');
    });

    test('Claude Code: a call beyond the goal is denied before it runs, with the reason; then the session is revoked', async () => {
      const s = sid('cc-2');
      await run('claude-code', { session_id: s, cwd: '/repo', hook_event_name: 'UserPromptSubmit', prompt: 'Fix the typo in README.md' });
      const denied = await run('claude-code', preToolUse(s, 'toolu_02', 'git push --force origin main'));
      assert.equal(denied.code, 0);
      const out = decisionOf(denied.stdout)!;
      assert.equal(out.hookEventName, 'PreToolUse');
      assert.equal(out.permissionDecision, 'deny');
      assert.match(out.permissionDecisionReason!, /blocked this action before it ran.*goal_deviation.*git:\/\/origin\/refs\/heads\/main.*allow this call once \(warden allow gd_[0-9a-f]{24}\)/);

      const stopped = await waitFor(
        async () => (await api('GET', `/api/v1/gate/decisions?session=${s}&decision=deny`)).json as { decisions?: Array<{ command: string; detector: string }> },
        (d) => (d.decisions?.length ?? 0) > 0,
        { what: 'the deny in gate_decisions' },
      );
      assert.equal(stopped.decisions![0]!.command, 'git push --force origin main');
      assert.equal(stopped.decisions![0]!.detector, 'goal_deviation');

      // The deny revoked the session (revoke_at high): the next call, however harmless, is denied.
      const next = decisionOf((await run('claude-code', preToolUse(s, 'toolu_03', 'ls'))).stdout)!;
      assert.equal(next.permissionDecision, 'deny');
      assert.match(next.permissionDecisionReason!, /revoked this session/);
      // PostToolUse never blocks, even for a revoked session.
      assert.deepEqual(await run('claude-code', { ...preToolUse(s, 'toolu_03', 'ls'), hook_event_name: 'PostToolUse' }), { code: 0, stdout: '', stderr: '' });
    });

    test('Codex: an operator revocation denies the next call in its format; large payloads pass when allowed', async () => {
      const s = sid('codex-1');
      const patch = `*** Begin Patch\n*** Update File: src/app.ts\n${'+const line = "a harmless added line of code";\n'.repeat(1000)}*** End Patch\n`;
      assert.ok(patch.length > 40_000);
      const applied = await run('codex', { ...preToolUse(s, 'call_1', patch, 'apply_patch'), turn_id: 't-1', model: 'gpt-5' });
      assert.deepEqual(applied, { code: 0, stdout: '', stderr: '' });
      const heredoc = `cat > notes.txt <<'EOF'\n${'some notes about the build, nothing more\n'.repeat(300)}EOF`;
      assert.ok(heredoc.length > 12_000);
      assert.deepEqual(await run('codex', { ...preToolUse(s, 'call_2', heredoc), turn_id: 't-1' }), { code: 0, stdout: '', stderr: '' });

      await waitFor(async () => (await api('GET', `/api/v1/sessions/${s}`)).status, (st) => st === 200, { what: 'the codex session' });
      assert.equal((await api('GET', `/api/v1/sessions/${s}`)).json.agent, 'codex');
      assert.equal((await api('POST', `/api/v1/sessions/${s}/revoke`, { reason: 'force push to main' })).status, 200);
      const denied = await run('codex', { ...preToolUse(s, 'call_3', 'ls'), turn_id: 't-2' });
      assert.equal(denied.code, 0);
      const out = decisionOf(denied.stdout)!;
      assert.equal(out.permissionDecision, 'deny');
      assert.match(out.permissionDecisionReason!, /operator:alice.*force push to main/);
    });

    test('fail closed when Warden is unreachable or refuses the token; fail open allows with a warning', async () => {
      const down = { WARDEN_URL: 'http://127.0.0.1:9', WARDEN_HOOK_TIMEOUT_MS: '500' };
      const closed = await run('claude-code', preToolUse('x-1', 'toolu_1', 'ls'), down);
      assert.equal(closed.code, 0);
      assert.match(decisionOf(closed.stdout)!.permissionDecisionReason!, /could not check.*127\.0\.0\.1:9 unreachable.*WARDEN_HOOK_FAIL=closed/);

      const badToken = await run('claude-code', preToolUse('x-1', 'toolu_1', 'ls'), { WARDEN_URL: warden.url, WARDEN_TOKEN: 'wdn_not_a_real_token_000000' });
      assert.equal(decisionOf(badToken.stdout)!.permissionDecision, 'deny');
      assert.match(decisionOf(badToken.stdout)!.permissionDecisionReason!, /answered 401/);

      const open = await run('claude-code', preToolUse('x-1', 'toolu_1', 'ls'), { ...down, WARDEN_HOOK_FAIL: 'open' });
      assert.equal(open.code, 0);
      assert.equal(open.stdout, '');
      assert.match(open.stderr, /unreachable.*WARDEN_HOOK_FAIL=open: allowed/);

      const post = await run('claude-code', { ...preToolUse('x-1', 'toolu_1', 'ls'), hook_event_name: 'PostToolUse' }, down);
      assert.equal(post.code, 0);
      assert.equal(post.stdout, '');

      const garbage = await run('codex', 'not json', down);
      assert.equal(garbage.code, 2);
      assert.match(garbage.stderr, /could not (read|check)/);
    });

    test('a listener that never answers, or hangs up, is given up on and the call denied (fail closed)', async () => {
      // Real sockets: one server accepts and stays silent, the other closes each connection at once.
      const open: net.Socket[] = [];
      const silent = net.createServer((socket) => void open.push(socket));
      const hangUp = net.createServer((socket) => socket.destroy());
      const portOf = async (server: net.Server): Promise<number> => {
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        return (server.address() as net.AddressInfo).port;
      };
      try {
        const timeoutMs = 600;
        const started = Date.now();
        const quiet = await run('claude-code', preToolUse('x-2', 'toolu_2', 'ls'), { ...env, WARDEN_URL: `http://127.0.0.1:${await portOf(silent)}`, WARDEN_HOOK_TIMEOUT_MS: String(timeoutMs) });
        assert.equal(quiet.code, 0);
        assert.equal(decisionOf(quiet.stdout)!.permissionDecision, 'deny');
        assert.match(decisionOf(quiet.stdout)!.permissionDecisionReason!, client === 'node' ? /could not check/ : /no answer within 600 ms/);
        assert.ok(Date.now() - started >= timeoutMs, 'it waited out the timeout before giving up');

        // Several times: whether the hang-up comes before or after the request is written is a race
        // (the bash client once died of SIGPIPE there, answering nothing).
        const hangUpUrl = `http://127.0.0.1:${await portOf(hangUp)}`;
        for (let i = 0; i < 5; i++) {
          const closed = await run('claude-code', preToolUse('x-2', `toolu_3${i}`, 'ls'), { ...env, WARDEN_URL: hangUpUrl });
          assert.equal(closed.code, 0, closed.stderr);
          assert.equal(decisionOf(closed.stdout)?.permissionDecision, 'deny', `call ${i}: ${JSON.stringify(closed)}`);
          assert.match(decisionOf(closed.stdout)!.permissionDecisionReason!, /could not check/);
        }
      } finally {
        for (const socket of open) socket.destroy();
        silent.close();
        hangUp.close();
      }
    });

    test('an answer cut short, or one that starts and then stalls, is not taken for an answer (fail closed)', async () => {
      // The shell client reads the whole answer to the connection's end, then cuts it up: a body
      // shorter than its content-length, or headers with no end, is no answer.
      const allow = '{"hookSpecificOutput":{"hookEventName":"PreToolUse","permissionDecision":"allow"}}';
      const head = (length: number) => `HTTP/1.1 200 OK\r\nwarden-hook-exit: 0\r\ncontent-type: application/json\r\ncontent-length: ${length}\r\nconnection: close\r\n\r\n`;
      const open: net.Socket[] = [];
      const answering = (reply: (socket: net.Socket) => void) => net.createServer((socket) => {
        open.push(socket);
        socket.once('data', () => reply(socket));
      });
      const short = answering((socket) => socket.end(head(allow.length) + allow.slice(0, 20)));
      const headless = answering((socket) => socket.end('HTTP/1.1 200 OK\r\nwarden-hook-exit: 0\r\n'));
      const stalled = answering((socket) => socket.write(head(allow.length) + allow.slice(0, 20)));
      const whole = answering((socket) => socket.end(head(allow.length) + allow));
      const urlOf = async (server: net.Server): Promise<string> => {
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        return `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
      };
      try {
        const cut = await run('claude-code', preToolUse('x-4', 'toolu_41', 'ls'), { ...env, WARDEN_URL: await urlOf(short) });
        assert.equal(decisionOf(cut.stdout)?.permissionDecision, 'deny', JSON.stringify(cut));
        const noEnd = await run('claude-code', preToolUse('x-4', 'toolu_42', 'ls'), { ...env, WARDEN_URL: await urlOf(headless) });
        assert.equal(decisionOf(noEnd.stdout)?.permissionDecision, 'deny', JSON.stringify(noEnd));
        const stall = await run('claude-code', preToolUse('x-4', 'toolu_43', 'ls'), { ...env, WARDEN_URL: await urlOf(stalled), WARDEN_HOOK_TIMEOUT_MS: '600' });
        assert.equal(decisionOf(stall.stdout)?.permissionDecision, 'deny', JSON.stringify(stall));
        // And the same server, answering in full, is obeyed: the denials above are the cut answers'.
        const full = await run('claude-code', preToolUse('x-4', 'toolu_44', 'ls'), { ...env, WARDEN_URL: await urlOf(whole) });
        assert.equal(full.code, 0, full.stderr);
        assert.equal(decisionOf(full.stdout)?.permissionDecision, 'allow', JSON.stringify(full));
      } finally {
        for (const socket of open) socket.destroy();
        for (const server of [short, headless, stalled, whole]) server.close();
      }
    });

    test('an unreadable payload reaching Warden is blocked with a message saying so', async () => {
      const answer = await run('claude-code', '{"not": "a hook payload"}');
      assert.equal(answer.code, 0);
      const out = JSON.parse(answer.stdout) as { decision: string; reason: string };
      assert.equal(out.decision, 'block');
      assert.match(out.reason, /could not read this hook payload.*no session_id/);
    });
  });
}

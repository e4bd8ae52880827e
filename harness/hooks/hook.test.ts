/**
 * `warden hook claude-code|codex` end to end: the CLI is spawned as the agent would, with the
 * hook JSON on stdin, against a Warden on loopback. PreToolUse and PostToolUse land in the audit
 * trail as a paired intent and execution; once an operator revokes the session, the next
 * PreToolUse is answered with the agent's deny output; an unreachable Warden or a refused token
 * denies (fail closed) or allows with a warning (WARDEN_HOOK_FAIL=open).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '../../test/helpers/wait-for.js';
import { HOOK_TOKEN, OPERATOR_TOKEN, startHookWarden, type HookWarden } from './testing/hook-warden.js';
import { runCli } from '../../test/helpers/run-cli.js';

const runHook = (agent: string, input: unknown, env: Record<string, string>) =>
  runCli(['hook', agent], { stdin: typeof input === 'string' ? input : JSON.stringify(input), env });

function preToolUse(sessionId: string, toolUseId: string, command: string): Record<string, unknown> {
  return {
    session_id: sessionId, transcript_path: '/home/dev/.claude/projects/x.jsonl', cwd: '/repo', permission_mode: 'default',
    hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command, description: 'test' }, tool_use_id: toolUseId,
  };
}

let warden: HookWarden;
let env: Record<string, string>;

before(async () => {
  warden = await startHookWarden();
  env = { WARDEN_URL: warden.url, WARDEN_TOKEN: HOOK_TOKEN };
});

after(async () => {
  await warden.close();
});

async function api(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${warden.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

test('Claude Code: intent and execution are recorded; a revoked session is denied', async () => {
  const allowed = await runHook('claude-code', preToolUse('cc-1', 'toolu_01', 'rm -rf data'), env);
  assert.deepEqual(allowed, { code: 0, stdout: '', stderr: '' });
  const post = await runHook('claude-code', { ...preToolUse('cc-1', 'toolu_01', 'rm -rf data'), hook_event_name: 'PostToolUse', tool_response: { stdout: '' } }, env);
  assert.equal(post.code, 0);

  type Call = { kind: string; tool_call_id: string; intent: { command: string; destructive: boolean; targets: string[]; agent_id: string } | null; execution: { source: string } | null };
  const timeline = await waitFor(
    async () => (await api('GET', '/api/v1/sessions/cc-1/timeline')).json as { items?: Call[] },
    (t) => t.items?.[0]?.execution != null,
    { what: 'the hook events in the audit trail' },
  );
  const call = timeline.items![0]!;
  assert.equal(call.tool_call_id, 'toolu_01');
  assert.equal(call.intent!.command, 'rm -rf data');
  assert.equal(call.intent!.destructive, true, JSON.stringify(call.intent));
  assert.deepEqual(call.intent!.targets, ['/repo/data']);
  assert.equal(call.intent!.agent_id, 'claude-code');
  assert.equal(call.execution!.source, 'hook');

  const revoke = await api('POST', '/api/v1/sessions/cc-1/revoke', { reason: 'deleting outside the task' });
  assert.equal(revoke.status, 200);

  const denied = await runHook('claude-code', preToolUse('cc-1', 'toolu_02', 'ls'), env);
  assert.equal(denied.code, 0);
  const output = JSON.parse(denied.stdout) as { hookSpecificOutput: Record<string, string> };
  assert.equal(output.hookSpecificOutput.hookEventName, 'PreToolUse');
  assert.equal(output.hookSpecificOutput.permissionDecision, 'deny');
  assert.match(output.hookSpecificOutput.permissionDecisionReason!, /operator:alice.*deleting outside the task/);

  // PostToolUse never blocks, even for a revoked session.
  const afterRevoke = await runHook('claude-code', { ...preToolUse('cc-1', 'toolu_02', 'ls'), hook_event_name: 'PostToolUse' }, env);
  assert.deepEqual(afterRevoke, { code: 0, stdout: '', stderr: '' });

  assert.equal((await api('POST', '/api/v1/sessions/cc-1/reinstate', { reason: 'reviewed' })).status, 200);
  assert.equal((await runHook('claude-code', preToolUse('cc-1', 'toolu_03', 'ls'), env)).stdout, '');
});

test('Codex: the same deny answer once the session is revoked', async () => {
  const input = { ...preToolUse('codex-1', 'call_1', 'git push --force origin main'), turn_id: 't-1', model: 'gpt-5' };
  assert.equal((await runHook('codex', input, env)).stdout, '');
  await waitFor(async () => (await api('GET', '/api/v1/sessions/codex-1')).status, (s) => s === 200, { what: 'the codex session' });
  const session = (await api('GET', '/api/v1/sessions/codex-1')).json;
  assert.equal(session.agent, 'codex');
  assert.equal((await api('POST', '/api/v1/sessions/codex-1/revoke', { reason: 'force push to main' })).status, 200);
  const denied = await runHook('codex', { ...input, tool_use_id: 'call_2' }, env);
  assert.equal(denied.code, 0);
  assert.equal(JSON.parse(denied.stdout).hookSpecificOutput.permissionDecision, 'deny');
});

test('fail closed when Warden is unreachable or refuses the token; fail open allows with a warning', async () => {
  const down = { WARDEN_URL: 'http://127.0.0.1:9', WARDEN_HOOK_TIMEOUT_MS: '500' };
  const closed = await runHook('claude-code', preToolUse('x-1', 'toolu_1', 'ls'), down);
  assert.equal(closed.code, 0);
  const reason = JSON.parse(closed.stdout).hookSpecificOutput.permissionDecisionReason as string;
  assert.match(reason, /could not check.*127\.0\.0\.1:9 unreachable.*WARDEN_HOOK_FAIL=closed/);

  const badToken = await runHook('claude-code', preToolUse('x-1', 'toolu_1', 'ls'), { WARDEN_URL: warden.url, WARDEN_TOKEN: 'wdn_not_a_real_token_000000' });
  assert.match(JSON.parse(badToken.stdout).hookSpecificOutput.permissionDecisionReason, /answered 401/);

  const open = await runHook('claude-code', preToolUse('x-1', 'toolu_1', 'ls'), { ...down, WARDEN_HOOK_FAIL: 'open' });
  assert.equal(open.code, 0);
  assert.equal(open.stdout, '');
  assert.match(open.stderr, /unreachable.*WARDEN_HOOK_FAIL=open: allowed/);

  const post = await runHook('claude-code', { ...preToolUse('x-1', 'toolu_1', 'ls'), hook_event_name: 'PostToolUse' }, down);
  assert.equal(post.code, 0);
  assert.equal(post.stdout, '');

  const garbage = await runHook('codex', 'not json', down);
  assert.equal(garbage.code, 2);
  assert.match(garbage.stderr, /cannot read the hook input/);
});

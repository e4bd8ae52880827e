/**
 * Every gate decision and finding explains itself, end to end through the assembly `warden start`
 * runs (embedded ClickHouse): in a session whose goal is to fix a typo, `git push --force origin
 * main` is denied with a reason to the agent (Claude Code's permissionDecisionReason, the gate
 * API's reason) that names the detector and rule and the target, and ends with "Instead: …"; the
 * stored decision and the stored finding carry the rule, target, why and alternative, as the API
 * serves them and `warden stopped` and `warden incident` print them; a benign call's answer carries none.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '../helpers/wait-for.js';
import { startHookTestWarden, type TestWarden } from '../helpers/test-warden.js';
import { runCli } from '../helpers/run-cli.js';

const HOOK_TOKEN = 'wdn_test_explain_ingest_00000';
const OPERATOR_TOKEN = 'wdn_test_explain_operator_000';
const FORCE_PUSH = 'git push --force origin main';
const INSTEAD = 'push to a new branch and open a pull request';

let warden: TestWarden;

before(async () => {
  ({ warden } = await startHookTestWarden(HOOK_TOKEN, OPERATOR_TOKEN));
});

after(async () => {
  await warden.cleanup();
});

async function call(method: 'GET' | 'POST', urlPath: string, token: string, body?: unknown): Promise<{ status: number; text: string }> {
  const res = await fetch(`${warden.url}${urlPath}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, text: await res.text() };
}

const hook = (payload: Record<string, unknown>) => call('POST', '/api/v1/hooks/claude-code', HOOK_TOKEN, payload);
const GOAL = 'Fix a typo in README.md';

/** Declares the goal and waits until the session holds it (the prompt is processed like any event, after the hook answers). */
async function goal(session: string): Promise<void> {
  assert.equal((await hook({ session_id: session, cwd: '/repo', hook_event_name: 'UserPromptSubmit', prompt: GOAL })).status, 200);
  await waitFor(
    async () => call('GET', `/api/v1/sessions/${session}`, OPERATOR_TOKEN),
    (r) => r.status === 200 && (JSON.parse(r.text) as { goal?: string }).goal === GOAL,
    { what: `the goal of ${session}` },
  );
}
const preToolUse = (session: string, id: string, command: string) =>
  hook({ session_id: session, cwd: '/repo', permission_mode: 'default', hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command }, tool_use_id: id });

interface Explained {
  rule: string;
  target: string;
  why: string;
  instead: string;
}

function assertExplained(x: Explained, what: string): void {
  assert.match(x.rule, /^goal_deviation\/\w+ · git_force_push_protected \(git\.force_push\)$/, what);
  assert.equal(x.target, 'git://origin/refs/heads/main', what);
  assert.match(x.why, /the default branch, which everyone builds and deploys from/, what);
  assert.equal(x.instead, INSTEAD, what);
}

describe('explained decisions and findings', () => {
  test("Claude Code: the deny's reason names detector, rule and target and ends with Instead; the stored decision and finding carry them", async () => {
    const s = 'explain-cc';
    await goal(s);
    const answer = await preToolUse(s, 'toolu_e1', FORCE_PUSH);
    const out = (JSON.parse(answer.text) as { hookSpecificOutput: { permissionDecision: string; permissionDecisionReason: string } }).hookSpecificOutput;
    assert.equal(out.permissionDecision, 'deny');
    const reason = out.permissionDecisionReason;
    assert.match(reason, /^Warden blocked this action before it ran — goal_deviation \(high\)/);
    assert.match(reason, /Rule goal_deviation\/\w+ · git_force_push_protected \(git\.force_push\)\./);
    assert.match(reason, /git:\/\/origin\/refs\/heads\/main: [^.]*the default branch/);
    assert.match(reason, /allow this call once \(warden allow gd_[0-9a-f]{24}\)/);
    assert.ok(reason.endsWith(`Instead: ${INSTEAD}.`), reason);
    assert.equal(reason.match(/Instead:/g)?.length, 1, reason);

    type Decision = Explained & { decision: string; detector: string; reason: string };
    const decisions = await waitFor(
      async () => JSON.parse((await call('GET', `/api/v1/gate/decisions?session=${s}&decision=deny`, OPERATOR_TOKEN)).text) as { decisions?: Decision[] },
      (d) => (d.decisions?.length ?? 0) > 0,
      { what: 'the deny in gate_decisions' },
    );
    const stored = decisions.decisions![0]!;
    assert.equal(stored.detector, 'goal_deviation');
    assertExplained(stored, 'stored decision');
    assert.ok(stored.reason.endsWith(`Instead: ${INSTEAD}.`), stored.reason);

    type StoredFinding = Explained & { detector: string; evidence: string[] };
    const findings = await waitFor(
      async () => JSON.parse((await call('GET', `/api/v1/findings?session=${s}&detector=goal_deviation`, OPERATOR_TOKEN)).text) as { findings?: StoredFinding[] },
      (f) => (f.findings?.length ?? 0) > 0,
      { what: 'the goal_deviation finding in findings' },
    );
    const finding = findings.findings![0]!;
    assertExplained(finding, 'stored finding');
    assert.ok(finding.evidence.length > 0);

    const conn = ['--url', warden.url, '--token', OPERATOR_TOKEN];
    const stopped = await runCli(['stopped', '--session', s, ...conn]);
    assert.equal(stopped.code, 0, stopped.stderr);
    assert.match(stopped.stdout, /\n {4}rule: goal_deviation\/\w+ · git_force_push_protected \(git\.force_push\)\n/);
    assert.match(stopped.stdout, /\n {4}target: git:\/\/origin\/refs\/heads\/main — [^\n]*the default branch/);
    assert.match(stopped.stdout, new RegExp(`\\n {4}instead: ${INSTEAD}\\n`));
    const report = await runCli(['incident', s, ...conn]);
    assert.equal(report.code, 0, report.stderr);
    assert.match(report.stdout, /- Rule: `goal_deviation\/\w+ · git_force_push_protected \(git\.force_push\)`/);
    assert.match(report.stdout, new RegExp(`- Instead: ${INSTEAD}`));
  });

  test("the gate API: the force push's reason ends with Instead and the answer carries the fields; a benign call's has none", async () => {
    const s = 'explain-api';
    await goal(s);
    const benign = await call('POST', '/api/v1/gate', HOOK_TOKEN, { session_id: s, tool: 'Bash', command: 'git status', tool_call_id: 'c1' });
    assert.equal(benign.status, 200, benign.text);
    const ok = JSON.parse(benign.text) as Explained & { decision: string; reason: string };
    assert.equal(ok.decision, 'allow', ok.reason);
    assert.deepEqual({ rule: ok.rule, target: ok.target, why: ok.why, instead: ok.instead }, { rule: '', target: '', why: '', instead: '' });
    assert.doesNotMatch(ok.reason, /Instead/);

    const denied = await call('POST', '/api/v1/gate', HOOK_TOKEN, { session_id: s, tool: 'Bash', command: FORCE_PUSH, tool_call_id: 'c2' });
    assert.equal(denied.status, 200, denied.text);
    const d = JSON.parse(denied.text) as Explained & { decision: string; reason: string; detector: string };
    assert.equal(d.decision, 'deny', d.reason);
    assert.equal(d.detector, 'goal_deviation');
    assertExplained(d, 'gate API answer');
    assert.ok(d.reason.endsWith(`Instead: ${INSTEAD}.`), d.reason);
 
    // A secret in the command reaches neither the reason nor the explanation: they are built from the redacted event.
    const token = 'ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8';
    const withToken = await call('POST', '/api/v1/gate', HOOK_TOKEN, { session_id: `${s}-token`, tool: 'Bash', command: `git push --force https://bob:${token}@github.com/acme/app.git main`, tool_call_id: 'c3' });
    const t = JSON.parse(withToken.text) as Explained & { decision: string; reason: string };
    assert.equal(t.decision, 'ask', t.reason);
    assert.match(t.target, /\[REDACTED:github_token\]@github\.com\/acme\/app\.git\/refs\/heads\/main$/);
    assert.match(t.why, /^the default branch/);
    assert.ok(!`${t.reason} ${t.rule} ${t.target} ${t.why} ${t.instead}`.includes(token), t.reason);
    assert.ok(t.reason.endsWith(`Instead: ${INSTEAD}.`), t.reason);
  });

  test("Claude Code: a benign call's answer is empty (allowed, nothing to explain)", async () => {
    const s = 'explain-benign';
    await goal(s);
    const answer = await preToolUse(s, 'toolu_b1', 'git diff README.md');
    assert.equal(answer.status, 200);
    assert.equal(answer.text, '');
  });
});

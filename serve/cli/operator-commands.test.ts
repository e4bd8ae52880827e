/**
 * The operator commands end to end, spawned as an operator would run them against a Warden on
 * loopback (built by the same assembly as `warden start`), fed through the hook command: sessions, timeline (destructive actions marked), revoke/reinstate (and their 409s),
 * incident (Markdown and JSON) and verify-log on the kill switch's real log, intact and tampered.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '../../test/helpers/wait-for.js';
import { startTestWarden, type TestWarden } from '../../test/helpers/test-warden.js';
import { runCli } from '../../test/helpers/run-cli.js';

const warden = (args: string[], stdin = '', env: Record<string, string> = {}) => runCli(args, { stdin, env });

const HOOK_TOKEN = 'wdn_test_hook_ingest_00000000';
const OPERATOR_TOKEN = 'wdn_test_hook_operator_000000';

let w: TestWarden;
let conn: string[];

before(async () => {
  w = await startTestWarden({}, { tokens: [
    { name: 'hook', token: HOOK_TOKEN, tenant: 'acme', roles: ['ingest'] },
    { name: 'alice', token: OPERATOR_TOKEN, tenant: 'acme', roles: ['read', 'operate'] },
  ] });
  conn = ['--url', w.url, '--token', OPERATOR_TOKEN];
  const hookEnv = { WARDEN_URL: w.url, WARDEN_TOKEN: HOOK_TOKEN };
  const base = { session_id: 'op-1', cwd: '/srv/app', tool_name: 'Bash' };
  for (const [id, command] of [['toolu_1', 'ls -la'], ['toolu_2', 'kubectl delete namespace staging']] as const) {
    for (const event of ['PreToolUse', 'PostToolUse']) {
      const run = await warden(['hook', 'claude-code'], JSON.stringify({ ...base, hook_event_name: event, tool_use_id: id, tool_input: { command } }), hookEnv);
      assert.equal(run.code, 0, run.stderr);
    }
  }
  await waitFor(
    async () => (await fetch(`${w.url}/api/v1/sessions/op-1`, { headers: { authorization: `Bearer ${OPERATOR_TOKEN}` } }).then((r) => r.json())) as { counts?: { events: number } },
    (s) => s.counts?.events === 4,
    { what: 'four hook events stored' },
  );
});

after(async () => {
  await w.cleanup();
});

test('sessions lists the session; --json gives the API answer', async () => {
  const text = await warden(['sessions', ...conn]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^SESSION\s+AGENT\s+STATE/m);
  assert.match(text.stdout, /^op-1\s+claude-code\s+active/m);
  const json = JSON.parse((await warden(['sessions', '--json', '--state', 'active', ...conn])).stdout);
  assert.deepEqual(json.sessions.map((s: { id: string }) => s.id), ['op-1']);
});

test('timeline pairs calls and marks the destructive one', async () => {
  const run = await warden(['timeline', 'op-1', ...conn]);
  assert.equal(run.code, 0, run.stderr);
  const lines = run.stdout.trim().split('\n');
  assert.equal(lines.length, 3);
  assert.match(lines[1]!, /intent→exec\s+Bash\s+ls -la\s+ok$/);
  assert.match(lines[2]!, /intent→exec\s+!!\s+Bash\s+kubectl delete namespace staging\s+ok$/);
});

test('revoke, revoke again (409), incident report, reinstate', async () => {
  const revoked = await warden(['revoke', 'op-1', '--reason', 'deleted a shared namespace', ...conn]);
  assert.equal(revoked.code, 0, revoked.stderr);
  assert.match(revoked.stdout, /^revoked session op-1 \(tenant acme\) at .* by operator:alice/);
  const again = await warden(['revoke', 'op-1', '--reason', 'again', ...conn]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /^warden revoke: ALREADY_REVOKED: /);

  const md = await warden(['incident', 'op-1', ...conn]);
  assert.equal(md.code, 0, md.stderr);
  for (const heading of ['# Incident report: session `op-1`', '## Summary', '## Goal', '## Revocation', '## Findings', '## Blast radius', '## Destructive actions']) {
    assert.ok(md.stdout.includes(heading), heading);
  }
  assert.match(md.stdout, /Revoked at .* by `operator:alice`/);
  assert.match(md.stdout, /\| .* \| intent → executed \| Bash \| `kubectl delete namespace staging` \| k8s:\/\/.*staging/);
  const json = JSON.parse((await warden(['incident', 'op-1', '--format', 'json', ...conn])).stdout);
  assert.equal(json.session.state, 'revoked');
  assert.equal(json.blastRadius.destructive_targets, 1);

  assert.equal((await warden(['reinstate', 'op-1', '--reason', 'reviewed with the team', ...conn])).code, 0);
  const missing = await warden(['reinstate', 'op-1', ...conn]);
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /--reason/);
});

test('verify-log: intact log is ok; an edited line fails with its line number', async () => {
  const file = join(w.dataDir, 'revocations.log');
  // The file alone: this Warden has no ClickHouse mirror (serve/cli/verify-log.test.ts compares one).
  const ok = await warden(['verify-log', '--no-storage', file]);
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /^ok: .*: 2 record\(s\), hash chain intact/);
  assert.match(ok.stdout, /^note: not compared with the ClickHouse mirror \(--no-storage\)/m);

  const lines = readFileSync(file, 'utf8').split('\n');
  lines[0] = lines[0]!.replace('deleted a shared namespace', 'routine cleanup');
  writeFileSync(file, lines.join('\n'));
  const bad = await warden(['verify-log', '--no-storage', file]);
  assert.equal(bad.code, 1);
  assert.match(bad.stdout, /^FAILED: .* at line 1: /);
  assert.match(bad.stdout, /^ {2}1: .*routine cleanup/m);
});

test('errors are one line with a stable code; an unreachable Warden is named', async () => {
  const notFound = await warden(['timeline', 'nope', ...conn]);
  assert.equal(notFound.code, 1);
  assert.equal(notFound.stderr, 'warden timeline: NOT_FOUND: no session "nope"\n');
  const down = await warden(['sessions', '--url', 'http://127.0.0.1:9', '--token', OPERATOR_TOKEN]);
  assert.equal(down.code, 1);
  assert.match(down.stderr, /^warden sessions: UNREACHABLE: cannot reach Warden at http:\/\/127\.0\.0\.1:9/);
});

/**
 * The gate in distributed mode, through the one assembly (`startWarden`) on librdkafka's mock
 * cluster: instances in one consumer group each decide a gate call with the detector state of
 * the session's owner, whichever instance the agent reached.
 *
 * - Two instances; sessions whose task was declared (UserPromptSubmit, consumed by the owner
 *   only): a force-push to main — denied against the declared goal, allowed by an instance that
 *   never saw the goal — is denied through EITHER instance, and the same instance answers for a
 *   session's calls (the other forwards, `warden_gate_routed_total`).
 * - A third instance joins the group during a stream of gate calls (a rebalance moves
 *   partitions): no destructive call is allowed; each is denied by the owner or, while no owner
 *   is settled, answered fail-closed saying so.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { kafkaMockAvailable, startKafkaMock, type RunningKafka } from '../infra/kafka-mock.js';
import { startTestWarden, type TestWarden } from '../helpers/test-warden.js';
import { waitFor } from '../helpers/wait-for.js';

const TOKEN = 'wdn_test_gate_distributed_0000';
const tokens = [{ name: 'hooks', token: TOKEN, tenant: 'default', roles: ['ingest', 'read'] }];
const mock = kafkaMockAvailable();
let kafka: RunningKafka;
const wardens: TestWarden[] = [];

function env(id: string): Record<string, string> {
  return { KAFKA_BROKERS: kafka.bootstrap, KAFKA_IDEMPOTENT: 'false', WARDEN_INSTANCE_ID: id, WARDEN_GATE_OWNER_WAIT_MS: '8000' };
}

/** The first instance's embedded ClickHouse, shared by all (as instances share a server). */
const shared = () => path.join(wardens[0]!.dataDir, 'clickhouse');

before(async () => {
  if (!mock.available) return;
  kafka = await startKafkaMock({
    topics: [
      { name: 'otlp_spans', partitions: 4 },
      { name: 'otlp_logs', partitions: 4 },
      { name: 'warden_dead_letter', partitions: 1 },
      { name: 'warden_revocations', partitions: 1 },
    ],
  });
  wardens.push(await startTestWarden(env('a'), { tokens }));
  wardens.push(await startTestWarden(env('b'), { tokens, clickhouseDataPath: shared() }));
});
after(async () => {
  for (const w of wardens.reverse()) await w.cleanup();
  await kafka?.stop();
});

async function hook(w: TestWarden, body: Record<string, unknown>): Promise<{ decision: string; text: string }> {
  const res = await fetch(`${w.url}/api/v1/hooks/claude-code`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.text();
  assert.equal(res.status, 200, text);
  const out = text.trim() === '' ? null : (JSON.parse(text) as { hookSpecificOutput?: { permissionDecision?: string } });
  return { decision: out?.hookSpecificOutput?.permissionDecision ?? 'allow', text };
}

const prompt = (s: string) => ({ session_id: s, cwd: '/repo', hook_event_name: 'UserPromptSubmit', prompt: 'Fix the typo in README.md' });
const bash = (s: string, id: string, command: string) => ({ session_id: s, cwd: '/repo', hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command }, tool_use_id: id });

/** Declares each session's task and waits until its owner has consumed it. */
async function declare(sessions: string[]): Promise<void> {
  for (const [i, s] of sessions.entries()) await hook(wardens[i % 2]!, prompt(s));
  await waitFor(
    async () => sessions.filter((s) => wardens.some((w) => w.detection.registry.get('default', s) !== undefined)).length,
    (n) => n === sessions.length,
    { timeoutMs: 60_000, what: 'the declared tasks consumed by their owners' },
  );
}

async function routed(w: TestWarden): Promise<Record<string, number>> {
  const metric = (await w.metrics.registry.getSingleMetric('warden_gate_routed_total')?.get()) as { values: Array<{ labels: { route?: string }; value: number }> } | undefined;
  return Object.fromEntries((metric?.values ?? []).map((v) => [v.labels.route ?? '', v.value]));
}

test('a gate call gets the session owner\'s decision through either instance', { skip: !mock.available && mock.reason, timeout: 180_000 }, async () => {
  const [a, b] = [wardens[0]!, wardens[1]!];
  assert.equal(a.config.mode, 'distributed');
  const sessions = Array.from({ length: 6 }, (_, i) => `dist-gate-${i}`);
  await declare(sessions);
  for (const [i, s] of sessions.entries()) {
    // Through one instance, then (a session of its own: a deny revokes) through the other.
    const d = await hook(i % 2 === 0 ? a : b, bash(s, `t-${i}`, 'git push --force origin main'));
    assert.equal(d.decision, 'deny', `${s}: ${d.text}`);
    assert.match(d.text, /goal_deviation/, `${s} judged against its declared goal: ${d.text}`);
  }
  const [ra, rb] = [await routed(a), await routed(b)];
  assert.ok((ra.forwarded ?? 0) + (rb.forwarded ?? 0) > 0, `some calls were forwarded to their owner: ${JSON.stringify({ ra, rb })}`);
  assert.ok((ra.local ?? 0) + (rb.local ?? 0) >= sessions.length, 'every call was decided by an owner');
  assert.equal((ra.no_owner ?? 0) + (rb.no_owner ?? 0), 0);
});

test('a rebalance during a stream of gate calls allows no call that one instance would deny', { skip: !mock.available && mock.reason, timeout: 240_000 }, async () => {
  const sessions = Array.from({ length: 24 }, (_, i) => `dist-rebalance-${i}`);
  await declare(sessions);
  const answers: Array<{ s: string; decision: string; text: string }> = [];
  let next = 0;
  let streaming = true;
  const stream = (async () => {
    // One destructive call per session, round robin over the instances, until every session had one.
    while (streaming || next < sessions.length) {
      const s = sessions[next % sessions.length]!;
      const w = wardens[next % wardens.length]!;
      const benign = await hook(w, bash(s, `ok-${next}`, 'cat README.md'));
      assert.notEqual(benign.decision, 'ask', benign.text);
      if (next < sessions.length) answers.push({ s, ...(await hook(w, bash(s, `bad-${next}`, 'git push --force origin main'))) });
      next++;
      await new Promise((resolve) => setTimeout(resolve, 400));
    }
  })();
  await new Promise((resolve) => setTimeout(resolve, 300));
  wardens.push(await startTestWarden(env('c'), { tokens, clickhouseDataPath: shared() }));
  streaming = false;
  await stream;
  assert.equal(answers.length, sessions.length);
  const allowed = answers.filter((x) => x.decision !== 'deny');
  assert.deepEqual(allowed, [], 'no destructive call allowed during the rebalance');
  const byOwner = answers.filter((x) => /goal_deviation/.test(x.text)).length;
  const failClosed = answers.filter((x) => /owner instance|ownership of this session moved/.test(x.text)).length;
  assert.equal(byOwner + failClosed, answers.length, JSON.stringify(answers));
  console.log(`rebalance stream: ${byOwner} denied by the owner, ${failClosed} fail-closed without an owner`);

  // Settled: the new member answers with the owner's decision for a session declared now.
  const late = Array.from({ length: 4 }, (_, i) => `dist-after-${i}`);
  await declare(late);
  const c = wardens[2]!;
  for (const [i, s] of late.entries()) {
    // Until the group has settled a call may still be answered fail-closed; then it is the owner's.
    const d = await waitFor(() => hook(c, bash(s, `late-${i}`, 'git push --force origin main')), (x) => !/owner instance/.test(x.text), { timeoutMs: 60_000, what: 'a settled owner' });
    assert.equal(d.decision, 'deny', d.text);
    assert.match(d.text, /goal_deviation/, d.text);
  }
});

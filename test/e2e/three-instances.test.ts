/**
 * Three Warden instances in one consumer group, through the one assembly (`startWarden`) on
 * librdkafka's mock cluster, sharing one ClickHouse (as instances share a server):
 *
 * - the group settles with every instance owning sessions (each join of a member makes the mock
 *   hold a rebalance for the session timeout; a member whose SyncGroup the mock refuses is started
 *   again — restart-after-crash.ts);
 * - a gate call through any of the three is decided by its session's owner with the session's
 *   declared goal;
 * - a revocation an operator makes on one instance is obeyed by the verdicts of the other two; the
 *   time it took is printed (the bound measured here, on the mock, beside the test suite).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { kafkaMockAvailable, startKafkaMock, type RunningKafka } from '../infra/kafka-mock.js';
import { startTestWarden, type TestWarden } from '../helpers/test-warden.js';
import { waitFor } from '../helpers/wait-for.js';
import { bash, declare, ownersAnswer } from '../helpers/distributed-gate.js';
import type { TokenEntry } from '../../config/tokens.js';

const TOKEN = 'wdn_test_three_instances_00000';
const OPERATOR = 'wdn_test_three_inst_operator_0';
const tokens: TokenEntry[] = [
  { name: 'hooks', token: TOKEN, tenant: 'default', roles: ['ingest', 'read'] },
  { name: 'alice', token: OPERATOR, tenant: 'default', roles: ['read', 'operate'] },
];
const mock = kafkaMockAvailable();
let kafka: RunningKafka;
const wardens: TestWarden[] = [];

function env(id: string): Record<string, string> {
  return { KAFKA_BROKERS: kafka.bootstrap, KAFKA_IDEMPOTENT: 'false', WARDEN_INSTANCE_ID: id, WARDEN_GATE_OWNER_WAIT_MS: '45000' };
}

before(async () => {
  if (!mock.available) return;
  kafka = await startKafkaMock({
    topics: [
      { name: 'otlp_spans', partitions: 6 },
      { name: 'otlp_logs', partitions: 6 },
      { name: 'warden_dead_letter', partitions: 1 },
      { name: 'warden_revocations', partitions: 1 },
    ],
  });
  wardens.push(await startTestWarden(env('a'), { tokens }));
  const shared = path.join(wardens[0]!.dataDir, 'clickhouse');
  for (const id of ['b', 'c']) wardens.push(await startTestWarden(env(id), { tokens, clickhouseDataPath: shared }));
});
after(async () => {
  for (const w of wardens.reverse()) await w.cleanup();
  await kafka?.stop();
});

/** Which instance holds each session's declared task. */
function owners(sessions: string[]): string[] {
  return sessions.map((s) => String(wardens.findIndex((w) => w.detection.registry.get('default', s) !== undefined)));
}

test('three instances settle in one group; a gate call through any of them gets its session owner\'s decision', { skip: !mock.available && mock.reason, timeout: 480_000 }, async () => {
  // Until the group has settled, a declaration may be consumed by a member that is about to give
  // its partition up: declare fresh sessions until all three instances hold some.
  let sessions: string[] = [];
  let held = new Set<string>();
  for (let round = 0; round < 6 && held.size < 3; round++) {
    sessions = Array.from({ length: 12 }, (_, i) => `three-${round}-${i}`);
    await declare(wardens, TOKEN, sessions);
    held = new Set(owners(sessions));
    if (held.size < 3) await new Promise((resolve) => setTimeout(resolve, 15_000));
  }
  assert.equal(held.size, 3, `every instance owns some of the sessions: ${owners(sessions).join(',')}`);
  for (const [i, s] of sessions.entries()) {
    const d = await ownersAnswer(wardens[i % 3]!, TOKEN, () => bash(s, `t-${i}`, 'git push --force origin main'));
    assert.equal(d.decision, 'deny', `${s}: ${d.text}`);
    assert.match(d.text, /goal_deviation/, `${s} judged against its declared goal: ${d.text}`);
  }
});

test('a revocation made on one instance is obeyed by the verdicts of the other two', { skip: !mock.available && mock.reason, timeout: 180_000 }, async () => {
  const session = 'three-revoked';
  const verdict = async (w: TestWarden) => {
    const res = await fetch(`${w.url}/api/v1/sessions/${session}/verdict?tool=Bash&command=ls`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(res.status, 200);
    return (await res.json()) as { allow: boolean; reason: string };
  };
  await declare(wardens, TOKEN, [session]);
  for (const w of wardens) assert.equal((await verdict(w)).allow, true, 'not revoked before');
  // An operator revokes through a, whichever instance owns the session (a knows the session once
  // its first event is stored).
  let t0 = 0;
  const revoked = await waitFor(
    async () => {
      t0 = performance.now();
      const res = await fetch(`${wardens[0]!.url}/api/v1/sessions/${session}/revoke`, { method: 'POST', headers: { authorization: `Bearer ${OPERATOR}`, 'content-type': 'application/json' }, body: JSON.stringify({ reason: 'three-instance test' }) });
      return { status: res.status, body: await res.text() };
    },
    (r) => r.status !== 404,
    { timeoutMs: 30_000, what: 'the session known to the instance the operator uses' },
  );
  assert.equal(revoked.status, 200, revoked.body);
  const took: number[] = [];
  for (const w of wardens.slice(1)) {
    const v = await waitFor(() => verdict(w), (x) => !x.allow, { timeoutMs: 60_000, intervalMs: 10, what: 'the revocation obeyed by another instance' });
    took.push(performance.now() - t0);
    assert.match(v.reason, /revoked/);
  }
  console.log(`revocation made on a, obeyed by b and c after ${took.map((ms) => `${ms.toFixed(0)} ms`).join(' and ')}`);
});

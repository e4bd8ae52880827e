/**
 * Session affinity whatever the producer's keys (KAFKA_REKEY), on librdkafka's mock cluster.
 *
 * - The project's recorded sessions (incidents and their benign twins) are produced as the
 *   OpenTelemetry Collector's Kafka exporter writes them — no content-type header, keyed by trace
 *   id or by a hash of the resource, never by session: here one stable key per session that is
 *   not its id, so each session keeps its order on some partition (a producer that scatters one
 *   session over partitions loses its order before Warden sees it, which no consumer restores).
 *   Three instances re-keying by session come to the findings and revocations of one instance
 *   reading the OTLP topics, and store each record exactly once (printed: records in, rows stored,
 *   findings, revocations).
 * - The gate: tasks declared in telemetry with no key (the Collector's default), then a gate call
 *   through either instance — hooks reach the owner of the session's id. Re-keyed, the owner holds
 *   the declared task and denies a force-push against it; reading the OTLP topics directly, the
 *   declaration sits on whichever instance its partition went to, and the owner may never see it.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Kafka, logLevel } from 'kafkajs';
import { kafkaMockAvailable, startKafkaMock, type RunningKafka } from '../infra/kafka-mock.js';
import { startTestWarden, type TestWarden } from '../helpers/test-warden.js';
import { waitFor } from '../helpers/wait-for.js';
import { loadIncidentSessions, sessionRecords } from '../../serve/demo/replay.js';
import { encodeOtlp } from '../../decode/otlp/index.js';
import { hookLogRecord } from '../../harness/hooks/hook-event.js';
import { bash, gateTokens, declare, ownersAnswer } from '../helpers/distributed-gate.js';

const TOKEN = 'wdn_test_rekey_hooks_000000000';
const OPERATOR = 'wdn_test_rekey_operator_00000';
const tokens = gateTokens(TOKEN, OPERATOR);

const mock = kafkaMockAvailable();
let kafka: RunningKafka;
const SESSIONS_DIR = new URL('../../serve/demo/sessions/', import.meta.url).pathname;
const sessions = loadIncidentSessions(SESSIONS_DIR);
let records = 0;

before(async () => {
  if (!mock.available) return;
  kafka = await startKafkaMock({
    topics: [
      { name: 'otlp_spans', partitions: 4 },
      { name: 'otlp_logs', partitions: 4 },
      { name: 'warden_session_spans', partitions: 4 },
      { name: 'warden_session_logs', partitions: 4 },
      { name: 'warden_dead_letter', partitions: 1 },
      { name: 'revocations_single', partitions: 1 },
      { name: 'revocations_pair', partitions: 1 },
    ],
  });
  // What the Collector writes: one record per message here (its batches mix sessions too).
  const producer = new Kafka({ brokers: [kafka.bootstrap], logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  const base = Date.now() - 30 * 60_000;
  for (const [i, session] of sessions.entries()) {
    const { signal, records: wire } = sessionRecords(session, `rekey-${i}-${session.name}`, base + i * 1000);
    const key = `resource-${i * 7919}`; // stable per session, not its id: a trace id or a resource hash
    const messages = wire.map((w) => ({ key, value: encodeOtlp(signal, [w.record], 'otlp_proto') }));
    records += messages.length;
    await producer.send({ topic: signal === 'traces' ? 'otlp_spans' : 'otlp_logs', messages });
  }
  await producer.disconnect();
});

interface Outcome {
  events: number;
  findings: string[];
  revoked: string[];
}

async function rows(w: TestWarden, sql: string): Promise<Array<Record<string, string>>> {
  const result = await w.storage.client.query({ query: sql, format: 'JSONEachRow' });
  return result.json<Record<string, string>>();
}

/** What the instances stored once they are done: events, findings (session · detector) and revoked sessions. */
async function outcomeOf(w: TestWarden, database: string): Promise<Outcome> {
  const count = async () => Number((await rows(w, `SELECT count() AS n FROM (SELECT DISTINCT event_id FROM ${database}.audit_events)`))[0]!.n);
  await waitFor(count, (n) => n >= records, { timeoutMs: 120_000, what: `every record stored in ${database}` });
  // Findings are written in the background, after their events: settled when two reads a few seconds apart agree.
  let last = '';
  const read = async (): Promise<Outcome> => ({
    events: Number((await rows(w, `SELECT count() AS n FROM ${database}.audit_events FINAL`))[0]!.n),
    findings: (await rows(w, `SELECT DISTINCT concat(session_id, ' · ', detector) AS f FROM ${database}.findings ORDER BY f`)).map((r) => r.f!),
    revoked: (await rows(w, `SELECT DISTINCT session_id AS s FROM ${database}.revocations ORDER BY s`)).map((r) => r.s!),
  });
  return waitFor(
    async () => {
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      const now = await read();
      const same = JSON.stringify(now) === last;
      last = JSON.stringify(now);
      return same ? now : null;
    },
    (o) => o !== null,
    { timeoutMs: 120_000, intervalMs: 0, what: `the findings of ${database} settled` },
  ) as Promise<Outcome>;
}

/** Each run its own group, database and revocation topic: runs share only the OTLP topics. */
function env(id: string, database: string, extra: Record<string, string> = {}): Record<string, string> {
  return { KAFKA_BROKERS: kafka.bootstrap, KAFKA_IDEMPOTENT: 'false', WARDEN_INSTANCE_ID: id, KAFKA_GROUP_ID: database, CLICKHOUSE_DATABASE: database, KAFKA_TOPIC_REVOCATIONS: `revocations_${database}`, WARDEN_GATE_OWNER_WAIT_MS: '45000', ...extra };
}

const trio: TestWarden[] = [];
let single: TestWarden | undefined;
after(async () => {
  for (const w of trio.reverse()) await w.cleanup();
  await single?.cleanup();
  await kafka?.stop();
});

test('three instances re-keying by session come to what one instance reading every session whole finds', { skip: !mock.available && mock.reason, timeout: 600_000 }, async () => {
  single = await startTestWarden(env('one', 'single'), { tokens });
  const shared = path.join(single.dataDir, 'clickhouse');
  const alone = await outcomeOf(single, 'single');
  await single.close();
  assert.ok(alone.findings.length > 0 && alone.revoked.length > 0, 'the recorded incidents are found');

  const rekey = { KAFKA_REKEY: 'true' };
  for (const id of ['a', 'b', 'c']) trio.push(await startTestWarden(env(id, 'trio', rekey), { tokens, clickhouseDataPath: shared }));
  const three = await outcomeOf(trio[0]!, 'trio');
  console.log(
    `records in: ${records}; rows stored: one instance ${alone.events}, three re-keying ${three.events}; findings ${alone.findings.length} and ${three.findings.length}` +
      ` (${JSON.stringify(three.findings) === JSON.stringify(alone.findings) ? 'equal' : 'DIFFERENT'}); sessions revoked ${alone.revoked.length} and ${three.revoked.length}`,
  );
  assert.equal(alone.events, records, 'one instance stored every record once');
  assert.equal(three.events, records, 'three re-keying instances stored every record once');
  assert.deepEqual(three.findings, alone.findings, 'the same findings');
  assert.deepEqual(three.revoked, alone.revoked, 'the same sessions revoked');
});

test('tasks declared in unkeyed telemetry reach the owner a gate call through any instance is routed to', { skip: !mock.available && mock.reason, timeout: 300_000 }, async () => {
  assert.equal(trio.length, 3, 'the re-keying instances run');
  const sessions = Array.from({ length: 24 }, (_, i) => `rekey-gate-${i}`);
  const producer = new Kafka({ brokers: [kafka.bootstrap], logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  const declared = sessions.map((s) => {
    const input = { session_id: s, hook_event_name: 'UserPromptSubmit', tool_name: '', tool_input: {}, tool_use_id: '', cwd: '/repo', raw: { prompt: 'Fix the typo in README.md' } };
    return { key: null, value: encodeOtlp('logs', [hookLogRecord(input, 'claude-code', BigInt(Date.now()) * 1_000_000n)], 'otlp_proto') };
  });
  await producer.send({ topic: 'otlp_logs', messages: declared });
  await producer.disconnect();
  await waitFor(
    async () => sessions.filter((s) => trio.some((w) => w.detection.registry.get('default', s)?.goal)).length,
    (n) => n === sessions.length,
    { timeoutMs: 60_000, what: 'every declared task consumed' },
  );
  const holders = sessions.map((s) => trio.findIndex((w) => w.detection.registry.get('default', s)?.goal));
  console.log(`declared tasks held by instance: a ${holders.filter((h) => h === 0).length}, b ${holders.filter((h) => h === 1).length}, c ${holders.filter((h) => h === 2).length}`);
  assert.ok(new Set(holders).size >= 2, 'the sessions are spread over the instances');
  for (const [i, s] of sessions.entries()) {
    const d = await ownersAnswer(trio[i % 3]!, TOKEN, () => bash(s, `g-${i}`, 'git push --force origin main'));
    assert.equal(d.decision, 'deny', `${s}: ${d.text}`);
    assert.match(d.text, /goal_deviation/, `${s} judged against the task declared in telemetry: ${d.text}`);
  }
});

test('a revocation made on one instance is obeyed by the verdicts of the other two', { skip: !mock.available && mock.reason, timeout: 180_000 }, async () => {
  assert.equal(trio.length, 3, 'the re-keying instances run');
  const session = 'rekey-revoked';
  const verdict = async (w: TestWarden) => {
    const res = await fetch(`${w.url}/api/v1/sessions/${session}/verdict?tool=Bash&command=ls`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(res.status, 200);
    return (await res.json()) as { allow: boolean; reason: string };
  };
  await declare(trio, TOKEN, [session]);
  for (const w of trio) assert.equal((await verdict(w)).allow, true, 'not revoked before');
  // An operator revokes through a, whichever instance owns the session (a knows it once its first event is stored).
  let t0 = 0;
  const revoked = await waitFor(
    async () => {
      t0 = performance.now();
      const res = await fetch(`${trio[0]!.url}/api/v1/sessions/${session}/revoke`, { method: 'POST', headers: { authorization: `Bearer ${OPERATOR}`, 'content-type': 'application/json' }, body: JSON.stringify({ reason: 'three-instance test' }) });
      return { status: res.status, body: await res.text() };
    },
    (r) => r.status !== 404,
    { timeoutMs: 30_000, what: 'the session known to the instance the operator uses' },
  );
  assert.equal(revoked.status, 200, revoked.body);
  const took: number[] = [];
  for (const w of trio.slice(1)) {
    const v = await waitFor(() => verdict(w), (x) => !x.allow, { timeoutMs: 60_000, intervalMs: 10, what: 'the revocation obeyed by another instance' });
    took.push(performance.now() - t0);
    assert.match(v.reason, /revoked/);
  }
  console.log(`revocation propagation: made on a, obeyed by b and c after ${took.map((ms) => `${ms.toFixed(0)} ms`).join(' and ')}`);
});

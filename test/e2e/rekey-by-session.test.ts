/**
 * Session affinity whatever the producer's keys (KAFKA_REKEY), on librdkafka's mock cluster.
 *
 * - The project's recorded sessions (incidents and their benign twins) are produced as the
 *   OpenTelemetry Collector's Kafka exporter writes them — no content-type header, keyed by trace
 *   id or by a hash of the resource, never by session: here one stable key per session that is
 *   not its id, so each session keeps its order on some partition (a producer that scatters one
 *   session over partitions loses its order before Warden sees it, which no consumer restores).
 *   Two instances re-keying by session come to the findings and revocations of one instance
 *   reading the OTLP topics, and store each event once.
 * - The gate: tasks declared in telemetry with no key (the Collector's default), then a gate call
 *   through either instance — hooks reach the owner of the session's id. Re-keyed, the owner holds
 *   the declared task and denies a force-push against it; reading the OTLP topics directly, the
 *   declaration sits on whichever instance its partition went to, and the owner may never see it.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { kafkaMockAvailable, startKafkaMock, type RunningKafka } from '../infra/kafka-mock.js';
import { startTestWarden, type TestWarden } from '../helpers/test-warden.js';
import { waitFor } from '../helpers/wait-for.js';
import { loadIncidentSessions, sessionRecords } from '../../serve/demo/replay.js';
import { encodeOtlp } from '../../decode/otlp/index.js';
import { hookLogRecord } from '../../harness/hooks/hook-event.js';
import { bash, ownersAnswer } from '../helpers/distributed-gate.js';
import type { TokenEntry } from '../../config/tokens.js';

const TOKEN = 'wdn_test_rekey_hooks_000000000';
const tokens: TokenEntry[] = [{ name: 'hooks', token: TOKEN, tenant: 'default', roles: ['ingest', 'read'] }];

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

const pair: TestWarden[] = [];
let single: TestWarden | undefined;
after(async () => {
  for (const w of pair.reverse()) await w.cleanup();
  await single?.cleanup();
  await kafka?.stop();
});

test('two instances re-keying by session come to what one instance reading every session whole finds', { skip: !mock.available && mock.reason, timeout: 600_000 }, async () => {
  single = await startTestWarden(env('one', 'single'), { tokens });
  const shared = path.join(single.dataDir, 'clickhouse');
  const alone = await outcomeOf(single, 'single');
  await single.close();
  assert.ok(alone.findings.length > 0 && alone.revoked.length > 0, 'the recorded incidents are found');

  const rekey = { KAFKA_REKEY: 'true' };
  pair.push(await startTestWarden(env('a', 'pair', rekey), { tokens, clickhouseDataPath: shared }));
  pair.push(await startTestWarden(env('b', 'pair', rekey), { tokens, clickhouseDataPath: shared }));
  const both = await outcomeOf(pair[0]!, 'pair');
  console.log(`one instance: ${alone.events} events, ${alone.findings.length} findings, ${alone.revoked.length} sessions revoked; two re-keying: ${both.events}, ${both.findings.length}, ${both.revoked.length}`);
  assert.deepEqual(both.findings, alone.findings, 'the same findings');
  assert.deepEqual(both.revoked, alone.revoked, 'the same sessions revoked');
  assert.equal(both.events, alone.events, 'each event stored once');
});

test('tasks declared in unkeyed telemetry reach the owner a gate call is routed to', { skip: !mock.available && mock.reason, timeout: 300_000 }, async () => {
  assert.equal(pair.length, 2, 'the re-keying pair runs');
  const [a, b] = [pair[0]!, pair[1]!];
  const sessions = Array.from({ length: 8 }, (_, i) => `rekey-gate-${i}`);
  const producer = new Kafka({ brokers: [kafka.bootstrap], logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  const declared = sessions.map((s) => {
    const input = { session_id: s, hook_event_name: 'UserPromptSubmit', tool_name: '', tool_input: {}, tool_use_id: '', cwd: '/repo', raw: { prompt: 'Fix the typo in README.md' } };
    return { key: null, value: encodeOtlp('logs', [hookLogRecord(input, 'claude-code', BigInt(Date.now()) * 1_000_000n)], 'otlp_proto') };
  });
  await producer.send({ topic: 'otlp_logs', messages: declared });
  await producer.disconnect();
  await waitFor(
    async () => sessions.filter((s) => pair.some((w) => w.detection.registry.get('default', s)?.goal)).length,
    (n) => n === sessions.length,
    { timeoutMs: 60_000, what: 'every declared task consumed' },
  );
  for (const [i, s] of sessions.entries()) {
    const d = await ownersAnswer(i % 2 === 0 ? a : b, TOKEN, () => bash(s, `g-${i}`, 'git push --force origin main'));
    assert.equal(d.decision, 'deny', `${s}: ${d.text}`);
    assert.match(d.text, /goal_deviation/, `${s} judged against the task declared in telemetry: ${d.text}`);
  }
});

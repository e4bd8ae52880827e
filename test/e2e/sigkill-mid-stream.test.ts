/**
 * One of three Warden processes killed with SIGKILL mid-stream (issue 12, 3b), on librdkafka's
 * mock cluster and one ClickHouse the processes share (a server container where a container
 * engine answers, otherwise chdb in its own process behind ClickHouse's HTTP interface — see
 * test/infra/engine-over-http.ts; the output says which).
 *
 * Three `warden start` processes form one consumer group with KAFKA_REKEY. A producer writes as
 * the OpenTelemetry Collector does — each message several records of several sessions, keyed by
 * the trace id of its first record or not keyed at all. First twelve sessions declare their task
 * in that telemetry, and half of them have a call against it staged by the gate (state to
 * rebuild: a declared goal, a deviation already reported, a stopped call). Then a stream of tool
 * calls (benign work, and two sessions with a burst of destructive commands) flows; the instance
 * that owns the most of the twelve is killed with SIGKILL while it flows, and a fourth is started.
 *
 * Printed and asserted: records in and rows stored in audit_events (count() and
 * uniqExact(event_id): nothing lost, nothing stored twice), findings and gate decisions without a
 * doubled id, the bursts' sessions revoked; and for the killed instance's sessions, their next
 * gate call through the surviving instances or the new one — a call against the declared task,
 * or the staged call asked again — answered word for word as one instance answers it after the
 * same history (an embedded Warden fed the same records and calls; ids and times aside).
 * Rebalancing waits for the dead member's Kafka session timeout (30 s): most of the run.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { kafkaMockAvailable, startKafkaMock, type RunningKafka } from '../infra/kafka-mock.js';
import { startSharedClickHouse, type SharedClickHouse } from '../infra/engine-over-http.js';
import { startWardenProcess, type WardenProcess } from '../infra/warden-process.js';
import { startTestWarden, type TestWarden } from '../helpers/test-warden.js';
import { waitFor } from '../helpers/wait-for.js';
import { prng } from '../helpers/prng.js';
import { toolSpan } from '../helpers/tool-span.js';
import { bash, gateTokens, hook, NO_OWNER, type HookAnswer } from '../helpers/distributed-gate.js';
import { encodeOtlp } from '../../decode/otlp/index.js';
import type { DecodedRecord, DecodedSpan } from '../../decode/otlp/records.js';
import { hookLogRecord } from '../../harness/hooks/hook-event.js';

const TOKEN = 'wdn_test_sigkill_hooks_0000000';
const OPERATOR = 'wdn_test_sigkill_operator_000';
const tokens = gateTokens(TOKEN, OPERATOR);
const DB = 'sigkill';
const BASE_DB = 'sigkill_single';
const TASK = 'Fix the typo in README.md';
/**
 * Against the declared task: staged for a person as a goal deviation (which only an owner holding
 * the task can say), the session not revoked. Asked again later (past the destructive-burst
 * window), the deviation is not reported twice: the call is staged again by the rule on the
 * command itself — which only an owner that rebuilt the session's first call can say.
 */
const DEVIATION = 'git reset --hard HEAD~3';
/** Two destructive intents of a session closer than this make a burst: the calls compared are spaced wider. */
const BURST_WINDOW_MS = 11_000;

/** Sessions with a declared task (`sk-task-*`), and with a call against it stopped before the kill too (`sk-stop-*`). */
const TASK_SESSIONS = Array.from({ length: 6 }, (_, i) => `sk-task-${i}`);
const STOP_SESSIONS = Array.from({ length: 6 }, (_, i) => `sk-stop-${i}`);
const GATE_SESSIONS = [...TASK_SESSIONS, ...STOP_SESSIONS];
const WORK_SESSIONS = Array.from({ length: 30 }, (_, i) => `sk-work-${i}`);
const BURST_SESSIONS = ['sk-burst-0', 'sk-burst-1'];
const RECORDS_PER_MESSAGE = 4;

const mock = kafkaMockAvailable();
let kafka: RunningKafka | undefined;
let clickhouse: SharedClickHouse | undefined;
let ch: ClickHouseClient | undefined;
const wardens: WardenProcess[] = [];
let single: TestWarden | undefined;

after(async () => {
  await single?.cleanup();
  for (const w of wardens) await w.cleanup();
  await ch?.close();
  await clickhouse?.stop();
  await kafka?.stop();
});

before(async () => {
  if (!mock.available) return;
  [kafka, clickhouse] = await Promise.all([
    startKafkaMock({
      topics: [
        { name: 'otlp_spans', partitions: 4 },
        { name: 'otlp_logs', partitions: 4 },
        { name: 'warden_session_spans', partitions: 4 },
        { name: 'warden_session_logs', partitions: 4 },
        { name: 'warden_dead_letter', partitions: 1 },
        { name: `revocations_${DB}`, partitions: 1 },
        // The one instance the answers are compared with reads its own copy of the records.
        { name: 'single_spans', partitions: 1 },
        { name: 'single_logs', partitions: 1 },
        { name: 'single_dead_letter', partitions: 1 },
        { name: `revocations_${BASE_DB}`, partitions: 1 },
      ],
    }),
    startSharedClickHouse(),
  ]);
  ch = createClient({ url: clickhouse.url, username: clickhouse.username, password: clickhouse.password, database: DB });
});

async function rows<T>(sql: string): Promise<T[]> {
  return (await ch!.query({ query: sql, format: 'JSONEachRow', clickhouse_settings: { output_format_json_quote_64bit_integers: 0 } })).json<T>();
}

function instanceEnv(): Record<string, string> {
  return {
    KAFKA_BROKERS: kafka!.bootstrap,
    KAFKA_IDEMPOTENT: 'false',
    KAFKA_REKEY: 'true',
    KAFKA_GROUP_ID: DB,
    KAFKA_TOPIC_REVOCATIONS: `revocations_${DB}`,
    CLICKHOUSE_URL: clickhouse!.url,
    CLICKHOUSE_USER: clickhouse!.username,
    CLICKHOUSE_PASSWORD: clickhouse!.password,
    CLICKHOUSE_DATABASE: DB,
    WARDEN_GATE_OWNER_WAIT_MS: '45000',
    WARDEN_GRPC: 'false',
  };
}

/** What the Collector writes: several records a message, keyed by the first record's trace id or not at all. */
function collectorMessages(records: DecodedRecord[], signal: 'traces' | 'logs'): Array<{ key: string | null; value: Buffer }> {
  const out: Array<{ key: string | null; value: Buffer }> = [];
  for (let i = 0; i < records.length; i += RECORDS_PER_MESSAGE) {
    const chunk = records.slice(i, i + RECORDS_PER_MESSAGE);
    const first = chunk[0]!;
    const key = out.length % 2 === 0 && 'traceId' in first ? first.traceId : null;
    out.push({ key, value: Buffer.from(encodeOtlp(signal, chunk, 'otlp_proto')) });
  }
  return out;
}

/** A tool call in the directory the sessions' hooks report (/repo). */
function inRepo(span: DecodedSpan): DecodedSpan {
  return { ...span, attributes: { ...span.attributes, 'warden.action.cwd': '/repo' } };
}

/** A hook call answered by the session's owner (asked again while the group settles). */
function ownersAnswer(w: { url: string }, body: () => Record<string, unknown>): Promise<HookAnswer> {
  // hook() reads only the instance's URL.
  return waitFor(() => hook(w as unknown as TestWarden, TOKEN, body()), (d) => !NO_OWNER.test(d.text), { timeoutMs: 120_000, intervalMs: 250, what: "an answer from the session's owner" });
}

interface View {
  live: boolean;
  goal: string;
}

async function viewOn(w: WardenProcess, session: string): Promise<View | null> {
  const res = await fetch(`${w.url}/api/v1/sessions/${session}`, { headers: { authorization: `Bearer ${OPERATOR}` } });
  return res.status === 200 ? ((await res.json()) as View) : null;
}

/** The reason an answer gives, without the ids that differ between runs (decision and finding ids). */
function gist(a: HookAnswer): string {
  const out = a.text.trim() === '' ? {} : (JSON.parse(a.text) as { hookSpecificOutput?: { permissionDecisionReason?: string } });
  const reason = out.hookSpecificOutput?.permissionDecisionReason ?? '';
  return `${a.decision}: ${reason
    .replace(/\b[a-z]{1,4}_[0-9a-f]{8,}\b/g, '<id>')
    .replace(/\b[0-9a-f]{16,}\b/g, '<id>')
    .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, '<time>')}`;
}

test('one of three instances killed with SIGKILL mid-stream: nothing lost or doubled, its sessions answered as one instance answers them', { skip: !mock.available && mock.reason, timeout: 240_000 }, async () => {
  const started = performance.now();
  const mark = (what: string): void => console.log(`# ${((performance.now() - started) / 1000).toFixed(1)} s (load ${os.loadavg()[0]!.toFixed(1)}): ${what}`);
  const producer: Producer = new Kafka({ brokers: [kafka!.bootstrap], logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  const send = async (topic: string, messages: Array<{ key: string | null; value: Buffer }>): Promise<void> => {
    await producer.send({ topic, messages });
  };
  wardens.push(...(await Promise.all(['a', 'b', 'c'].map((id) => startWardenProcess(id, instanceEnv(), tokens)))));
  console.log(`# ClickHouse: ${clickhouse!.kind}`);
  mark('three instances listening');

  // History. Tasks declared in unkeyed telemetry, and the first work of some sessions; each
  // session's owner is the one instance that holds it live.
  const declarations = GATE_SESSIONS.map((s) =>
    hookLogRecord({ session_id: s, hook_event_name: 'UserPromptSubmit', tool_name: '', tool_input: {}, tool_use_id: '', cwd: '/repo', raw: { prompt: TASK } }, 'claude-code', BigInt(Date.now()) * 1_000_000n),
  );
  const declared = declarations.map((r) => ({ key: null, value: Buffer.from(encodeOtlp('logs', [r], 'otlp_proto')) }));
  const firstWork = collectorMessages(STOP_SESSIONS.map((s) => inRepo(toolSpan(s, 'git status'))), 'traces');
  await send('otlp_logs', declared);
  await send('otlp_spans', firstWork);
  const owner = new Map<string, WardenProcess>();
  await waitFor(
    async () => {
      for (const s of GATE_SESSIONS) {
        const holders: WardenProcess[] = [];
        for (const w of wardens) {
          const v = await viewOn(w, s);
          if (v?.live && v.goal !== '') holders.push(w);
        }
        if (holders.length > 1) throw new Error(`${s} is live on ${holders.map((h) => h.id).join(' and ')}`);
        if (holders.length === 1) owner.set(s, holders[0]!);
      }
      return owner.size;
    },
    (n) => n === GATE_SESSIONS.length,
    { timeoutMs: 120_000, intervalMs: 250, what: 'every session with state held by its owner' },
  );
  mark('sessions declared and owned');
  // The stop sessions' call against their task, staged for a person; the stop is stored (gate memory) before what follows.
  const firstAnswers = new Map<string, HookAnswer>();
  for (const [i, s] of STOP_SESSIONS.entries()) {
    const d = await ownersAnswer(wardens[i % 3]!, () => bash(s, `first-${s}`, DEVIATION));
    assert.equal(d.decision, 'ask', `${s}: ${d.text}`);
    assert.match(d.text, /goal_deviation/, `${s}: judged against its declared task`);
    firstAnswers.set(s, d);
  }
  const stoppedAt = Date.now();
  await waitFor(
    () => rows<{ n: number }>(`SELECT uniqExact(session_id) AS n FROM ${DB}.gate_stopped WHERE session_id LIKE 'sk-stop-%'`),
    (r) => r[0]!.n === STOP_SESSIONS.length,
    { timeoutMs: 30_000, intervalMs: 200, what: 'the stopped calls stored' },
  );
  mark('calls stopped and stored');

  // The victim: the instance owning the most of the sessions with state.
  const counts = wardens.map((w) => GATE_SESSIONS.filter((s) => owner.get(s) === w).length);
  const victim = wardens[counts.indexOf(Math.max(...counts))]!;
  const victimSessions = GATE_SESSIONS.filter((s) => owner.get(s) === victim);
  const survivors = wardens.filter((w) => w !== victim);
  console.log(`# sessions with state owned by a/b/c: ${counts.join('/')}; killing ${victim.id}, owner of ${victimSessions.join(' ')}`);

  // The stream: every session's tool calls in its order, sessions interleaved, several a message.
  const random = prng(12);
  const perSession = new Map<string, DecodedRecord[]>();
  for (const s of WORK_SESSIONS) perSession.set(s, Array.from({ length: 10 + Math.floor(random() * 8) }, (_, k) => toolSpan(s, k % 3 === 0 ? 'git status' : `cat notes/${s}-${k}.md`)));
  for (const s of GATE_SESSIONS) perSession.set(s, [inRepo(toolSpan(s, 'cat README.md')), inRepo(toolSpan(s, 'git diff README.md'))]);
  for (const s of BURST_SESSIONS) perSession.set(s, Array.from({ length: 6 }, (_, k) => toolSpan(s, `rm -rf /srv/data-${s}-${k}`)));
  const queues = [...perSession.values()].map((l) => [...l]);
  const stream: DecodedRecord[] = [];
  while (queues.some((q) => q.length > 0)) {
    const live = queues.filter((q) => q.length > 0);
    stream.push(live[Math.floor(random() * live.length)]!.shift()!);
  }
  const messages = collectorMessages(stream, 'traces');
  const killAt = Math.floor(messages.length * 0.4);
  let fourth: Promise<WardenProcess> | undefined;
  let killedAfter = 0;
  for (let i = 0; i < messages.length; i += 10) {
    if (i >= killAt && !fourth) {
      await victim.kill('SIGKILL');
      killedAfter = i;
      fourth = startWardenProcess('d', instanceEnv(), tokens);
    }
    await send('otlp_spans', messages.slice(i, i + 10));
    await new Promise((resolve) => setTimeout(resolve, 40));
  }
  const d = await fourth!;
  wardens.push(d);
  const expected = stream.length + STOP_SESSIONS.length;
  mark(`streamed ${stream.length} records in ${messages.length} messages; ${victim.id} killed with SIGKILL after ${killedAfter} messages, d listening`);

  // Meanwhile (the group notices the dead member only after its session timeout), the one
  // instance the answers are compared with is fed the same history of the sessions with state.
  single = await startTestWarden(
    { KAFKA_BROKERS: kafka!.bootstrap, KAFKA_IDEMPOTENT: 'false', WARDEN_INSTANCE_ID: 'single', KAFKA_GROUP_ID: BASE_DB, CLICKHOUSE_DATABASE: BASE_DB, KAFKA_TOPIC_SPANS: 'single_spans', KAFKA_TOPIC_LOGS: 'single_logs', KAFKA_TOPIC_DEAD_LETTER: 'single_dead_letter', KAFKA_TOPIC_REVOCATIONS: `revocations_${BASE_DB}`, WARDEN_GATE_OWNER_WAIT_MS: '45000', WARDEN_GRPC: 'false' },
    { tokens },
  );
  await send('single_logs', declared);
  await send('single_spans', firstWork);
  await waitFor(async () => GATE_SESSIONS.filter((s) => single!.detection.registry.get('default', s)?.goal).length, (n) => n === GATE_SESSIONS.length, { timeoutMs: 60_000, what: 'the single instance holds every task' });
  for (const s of STOP_SESSIONS) {
    const one = await ownersAnswer(single, () => bash(s, `first-${s}`, DEVIATION));
    assert.equal(gist(one), gist(firstAnswers.get(s)!), `${s}: the first call answered alike by one instance`);
  }
  const singleStoppedAt = Date.now();
  await send('single_spans', collectorMessages(GATE_SESSIONS.flatMap((s) => perSession.get(s)!), 'traces'));
  await waitFor(
    async () => {
      const r = await single!.storage.client.query({ query: `SELECT count() AS n FROM ${BASE_DB}.audit_events WHERE signal = 'traces'`, format: 'JSONEachRow' });
      return Number((await r.json<{ n: string }>())[0]!.n);
    },
    (n) => n >= STOP_SESSIONS.length + GATE_SESSIONS.length * 2,
    { timeoutMs: 60_000, what: "the single instance stored the sessions' calls" },
  );
  mark('the single instance fed');

  // Every record stored once in the shared ClickHouse, whatever the kill interrupted.
  const traces = `SELECT count() AS rows, uniqExact(event_id) AS ids FROM ${DB}.audit_events WHERE signal = 'traces'`;
  const stored = await waitFor(() => rows<{ rows: number; ids: number }>(traces), (r) => r[0]!.ids >= expected, { timeoutMs: 150_000, intervalMs: 500, what: 'every streamed record in audit_events' }).catch(() =>
    rows<{ rows: number; ids: number }>(traces),
  );
  mark('every record stored');
  if (stored[0]!.ids !== expected || stored[0]!.rows !== expected) {
    // Which sessions differ from what was sent, to say what went wrong.
    const sent = new Map<string, number>();
    for (const r of [...stream, ...STOP_SESSIONS.map((s) => ({ resource: { 'session.id': s } }))]) {
      const id = String((r as { resource: Record<string, unknown> }).resource['session.id']);
      sent.set(id, (sent.get(id) ?? 0) + 1);
    }
    const per = await rows<{ session_id: string; rows: number; ids: number; tools: string[] }>(`SELECT session_id, count() AS rows, uniqExact(event_id) AS ids, groupArray(concat(tool, ' ', command)) AS tools FROM ${DB}.audit_events WHERE signal = 'traces' GROUP BY session_id`);
    for (const p of per) if (p.rows !== sent.get(p.session_id) || p.ids !== p.rows) console.log(`# ${p.session_id}: sent ${sent.get(p.session_id) ?? 0}, stored ${p.rows} rows, ${p.ids} ids: ${JSON.stringify(p.tools)}`);
  }

  // The killed instance's sessions: their next call, through the surviving instances and the new one.
  const answers = new Map<string, HookAnswer>();
  const through = [...survivors, d];
  const nextCall = (s: string) => bash(s, `next-${s}`, DEVIATION);
  const spaced = async (since: number): Promise<void> => {
    const wait = since + BURST_WINDOW_MS - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  };
  await spaced(stoppedAt);
  for (const [i, s] of victimSessions.entries()) answers.set(s, await ownersAnswer(through[i % through.length]!, () => nextCall(s)));
  mark("the killed instance's sessions answered");
  const mismatched: string[] = [];
  await spaced(singleStoppedAt);
  for (const s of victimSessions) {
    const one = await ownersAnswer(single, () => nextCall(s));
    if (gist(answers.get(s)!) !== gist(one)) mismatched.push(`${s}: ${gist(answers.get(s)!)} ≠ one instance: ${gist(one)}`);
  }

  const [all] = await rows<{ rows: number; ids: number }>(`SELECT count() AS rows, uniqExact(event_id) AS ids FROM ${DB}.audit_events`);
  const [findings] = await rows<{ rows: number; ids: number }>(`SELECT count() AS rows, uniqExact(id) AS ids FROM ${DB}.findings`);
  const [decisions] = await rows<{ rows: number; ids: number }>(`SELECT count() AS rows, uniqExact(decision_id) AS ids FROM ${DB}.gate_decisions`);
  const [revoked] = await rows<{ n: number }>(`SELECT uniqExact(session_id) AS n FROM ${DB}.revocations WHERE session_id LIKE 'sk-burst-%'`);
  console.log(
    `# records in: ${expected}; stored (tool spans): count() ${stored[0]!.rows}, uniqExact(event_id) ${stored[0]!.ids}; ` +
      `whole trail: count() ${all!.rows}, uniqExact(event_id) ${all!.ids}; findings: ${findings!.rows} rows, ${findings!.ids} ids; ` +
      `gate decisions: ${decisions!.rows} rows, ${decisions!.ids} ids; burst sessions revoked: ${revoked!.n}/${BURST_SESSIONS.length}`,
  );
  for (const s of victimSessions) console.log(`# ${s} (${victim.id}'s) next call → ${gist(answers.get(s)!).slice(0, 140)}`);

  assert.equal(stored[0]!.ids, expected, 'every streamed record stored');
  assert.equal(stored[0]!.rows, expected, 'no streamed record stored twice');
  assert.equal(all!.rows, all!.ids, 'no event stored twice');
  assert.equal(findings!.rows, findings!.ids, 'no finding stored twice');
  assert.equal(decisions!.rows, decisions!.ids, 'no gate decision stored twice');
  assert.equal(revoked!.n, BURST_SESSIONS.length, 'the destructive bursts revoked their sessions');
  assert.ok(victimSessions.length > 0, 'the killed instance owned sessions with state');
  assert.deepEqual(mismatched, [], "the killed instance's sessions answered as one instance answers them");
  for (const s of victimSessions) {
    const a = answers.get(s)!;
    assert.notEqual(a.decision, 'allow', `${s}: stopped`);
    if (TASK_SESSIONS.includes(s)) assert.match(a.text, /goal_deviation/, `${s}: the declared task still applied`);
    else assert.doesNotMatch(a.text, /goal_deviation/, `${s}: the deviation already reported before the kill is not reported again`);
  }
  await producer.disconnect();
});

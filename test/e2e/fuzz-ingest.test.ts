/**
 * Fuzzing both ingest paths end to end, bounded and seeded: generated and mutated OTLP export
 * requests (protobuf and JSON, traces and logs, gzip or not, wrong content types and encodings,
 * truncated, oversized, deeply nested, odd unicode including lone surrogates, times at the edges
 * of what storage holds) are sent
 *
 *   (a) over OTLP/HTTP to a real embedded Warden: never a 5xx, the server answers afterwards,
 *       every record answered as accepted is in ClickHouse exactly once, every other one was
 *       answered as rejected (partial_success) and counted;
 *   (b) to Kafka as a Collector writes them (librdkafka's mock cluster, distributed mode): every
 *       message that cannot be decoded is in the dead-letter topic and counted, every decodable
 *       record is stored exactly once (under the tenant its resource names: no receiver stood in
 *       between) or refused by normalization and counted.
 *
 * The seed is printed; `WARDEN_FUZZ_SEED=<n>` replays a run. `WARDEN_FUZZ_CASES` scales it.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Kafka, logLevel } from 'kafkajs';
import { MAX_EVENT_NS } from '../../model/audit-event.js';
import { decodeMessage } from '../../decode/decode-message.js';
import { decodeOtlp, encodeOtlp, type AnyValue, type DecodedLogRecord, type DecodedRecord, type DecodedSpan } from '../../decode/otlp/index.js';
import { otlpTypes } from '../../decode/otlp/schema.js';
import { keyValue, len, nestedArrayAnyValue, nestedKvlistAnyValue, traceRequest } from '../../decode/otlp/wire-builder.js';
import { eventIdOf } from '../../normalize/event-id.js';
import { eventTimes, refusalOf } from '../../decode/otlp/refusal.js';
import { asString } from '../../decode/otlp/values.js';
import type { Encoding, Signal } from '../../receive/transport/transport.js';
import { encodingOf } from '../../receive/kafka/content-type.js';
import { kafkaMockAvailable, startKafkaMock, type RunningKafka } from '../infra/kafka-mock.js';
import { startTestWarden, type TestWarden } from '../helpers/test-warden.js';
import { waitFor } from '../helpers/wait-for.js';
import { prng } from '../helpers/prng.js';

const SEED = process.env.WARDEN_FUZZ_SEED ? Number(process.env.WARDEN_FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);
const SCALE = process.env.WARDEN_FUZZ_CASES ? Number(process.env.WARDEN_FUZZ_CASES) : 1;
const HTTP_CASES = Math.round(240 * SCALE);
const KAFKA_CASES = Math.round(150 * SCALE);
const BODY_LIMIT = 64 * 1024;
const MAX_DECODED = 256 * 1024;
console.log(`fuzz-ingest: seed ${SEED} (replay with WARDEN_FUZZ_SEED=${SEED})`);


class Gen {
  readonly rand: () => number;
  private serial = 0;
  constructor(seed: number) {
    this.rand = prng(seed);
  }
  int(n: number): number {
    return Math.floor(this.rand() * n);
  }
  chance(p: number): boolean {
    return this.rand() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  hex(chars: number): string {
    let out = '';
    for (let i = 0; i < chars; i++) out += '0123456789abcdef'[this.int(16)];
    return out;
  }
  next(): number {
    return ++this.serial;
  }
}

const ODD_TEXT = ['plain', '', 'ünïcödé', '日本語テキスト', '🙂👩‍💻', '\ud800', 'a\udc00b', '\udbff\udfff', 'nul\u0000byte', '\u202eright-to-left', '\ufeffbom', '𝕏𝕐', '"quoted"\\slash', 'line\nbreak\ttab'];
/** Generated times start at today's midnight (UTC): a seed replays the same bytes all day. */
const DAY_MS = 86_400_000;
const BASE_NS = BigInt(Math.floor(Date.now() / DAY_MS) * DAY_MS) * 1_000_000n;
/** Times at the edges: zero, 1 ns, 2106 (uint32 seconds), what DateTime64(9) holds and just past it, uint64 max. */
const EDGE_TIMES = ['0', '1', '4294967295000000000', '4294967296000000000', MAX_EVENT_NS, (BigInt(MAX_EVENT_NS) + 1n).toString(), '18446744073709551615'];
const ATTRIBUTE_KEYS = ['gen_ai.tool.name', 'gen_ai.operation.name', 'gen_ai.tool.call.arguments', 'warden.action.targets', 'user.id', 'tool_name', 'event.name', 'fz.\ud800', 'fz.日本'];

function anyValue(g: Gen, depth: number): AnyValue {
  const kind = g.int(depth > 2 ? 5 : 7);
  if (kind === 0) return g.pick(ODD_TEXT);
  if (kind === 1) return g.pick([0, -1, 2 ** 53, 1.5, -0.25, 1e300]);
  if (kind === 2) return g.chance(0.5);
  if (kind === 3) return Uint8Array.from({ length: g.int(8) }, () => g.int(256));
  if (kind === 4) return g.pick(['rm -rf /', JSON.stringify({ command: 'kubectl delete ns prod' }), 'git push --force']);
  if (kind === 5) return Array.from({ length: g.int(4) }, () => anyValue(g, depth + 1));
  const out: Record<string, AnyValue> = {};
  for (let i = g.int(4); i > 0; i--) out[g.pick(ODD_TEXT) + i] = anyValue(g, depth + 1);
  return out;
}

function attributes(g: Gen, serial: number): Record<string, AnyValue> {
  // fz.n makes every generated record distinct (log record ids hash their content).
  const out: Record<string, AnyValue> = { 'fz.n': serial };
  for (let i = g.int(5); i > 0; i--) out[g.pick(ATTRIBUTE_KEYS)] = anyValue(g, 0);
  return out;
}

function time(g: Gen): string {
  return g.chance(0.12) ? g.pick(EDGE_TIMES) : (BASE_NS + BigInt(g.int(1_000_000_000))).toString();
}

function resource(g: Gen, session: string, tenants: readonly string[]): Record<string, AnyValue> {
  const out: Record<string, AnyValue> = { 'service.name': g.pick(['claude-code', 'codex', 'agent', g.pick(ODD_TEXT)]), 'session.id': session };
  if (g.chance(0.1)) out['warden.tenant'] = g.pick(tenants);
  return out;
}

function records(g: Gen, signal: Signal, tenants: readonly string[]): DecodedRecord[] {
  const sessions = Array.from({ length: 1 + g.int(3) }, () => `fz-${SEED}-${g.next()}`);
  return Array.from({ length: 1 + g.int(6) }, (): DecodedRecord => {
    const serial = g.next();
    const session = g.pick(sessions);
    if (signal === 'traces') {
      const start = time(g);
      const span: DecodedSpan = {
        signal: 'traces',
        resource: resource(g, session, tenants),
        scope: { name: g.pick(['fuzz', '\ud800scope', '']), version: '1' },
        // A few invalid ids (all zero, or absent): the receiver refuses those.
        traceId: g.chance(0.05) ? '0'.repeat(32) : g.hex(32),
        spanId: g.chance(0.05) ? '' : g.hex(16),
        parentSpanId: g.chance(0.5) ? g.hex(16) : '',
        name: g.pick(['execute_tool Bash', 'chat', g.pick(ODD_TEXT)]),
        kind: g.int(6),
        startTimeUnixNano: start,
        endTimeUnixNano: g.chance(0.9) ? start : time(g),
        attributes: attributes(g, serial),
        events: [],
        status: { code: g.int(3), message: g.pick(ODD_TEXT) },
      };
      return span;
    }
    const log: DecodedLogRecord = {
      signal: 'logs',
      resource: resource(g, session, tenants),
      scope: { name: 'com.anthropic.claude_code.events', version: '2.0.0' },
      timeUnixNano: g.chance(0.1) ? '0' : time(g),
      observedTimeUnixNano: g.chance(0.2) ? '0' : time(g),
      severityNumber: g.int(25),
      severityText: g.pick(['INFO', 'WARN', '']),
      body: anyValue(g, 0),
      attributes: attributes(g, serial),
      traceId: g.chance(0.5) ? g.hex(32) : '',
      spanId: g.chance(0.5) ? g.hex(16) : '',
      eventName: g.pick(['claude_code.tool_result', 'claude_code.tool_decision', '', g.pick(ODD_TEXT)]),
    };
    return log;
  });
}

function mutate(g: Gen, body: Buffer): Buffer {
  const out = Buffer.from(body);
  for (let i = 1 + g.int(4); i > 0 && out.length > 0; i--) out[g.int(out.length)] = g.int(256);
  return out;
}

const JSON_ODDITIES = [
  '{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","name":"\\ud800","startTimeUnixNano":"-1"}]}]}]}',
  '{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"W47/95gDgQPSabYzgT/GDA==","spanId":"7uGbfsPBsXQ=","startTimeUnixNano":1e400}]}]}]}',
  '{"resourceSpans":[{"resource":{"attributes":[{"key":"\\udfff","value":{"stringValue":"\\ud83d"}}]},"scopeSpans":[{"spans":[{"traceId":"5b8efff798038103d269b633813fc60d","spanId":"eee19b7ec3c1b175","startTimeUnixNano":"18446744073709551616"}]}]}]}',
  '{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"timeUnixNano":"99999999999999999999","body":{"kvlistValue":{"values":[{"key":"a","value":{"arrayValue":{}}}]}}}]}]}]}',
  '{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"observedTimeUnixNano":1767225600000000000,"attributes":[{"key":"k","value":{"intValue":"9223372036854775808"}}]}]}]}]}',
  '{"resourceSpans":null}',
  '[]',
  '"\\ud800"',
  '{"__proto__":{"polluted":true},"resourceSpans":[]}',
];

interface HttpCase {
  signal: Signal;
  /** Body as sent. */
  body: Buffer;
  headers: Record<string, string>;
  kind: string;
}

const CONTENT_TYPES: Record<Encoding, string> = { otlp_proto: 'application/x-protobuf', otlp_json: 'application/json' };

function httpCase(g: Gen): HttpCase {
  const signal: Signal = g.chance(0.5) ? 'traces' : 'logs';
  const encoding: Encoding = g.chance(0.5) ? 'otlp_proto' : 'otlp_json';
  const plainBody = encodeOtlp(signal, records(g, signal, ['default', 'tenB']), encoding);
  const gzip = g.chance(0.3);
  const roll = g.rand();
  const headers = { 'content-type': CONTENT_TYPES[encoding] };
  const sent = (plain: Buffer, kind: string): HttpCase =>
    gzip ? { signal, body: gzipSync(plain), headers: { ...headers, 'content-encoding': 'gzip' }, kind: `${kind}+gzip` } : { signal, body: plain, headers, kind };
  if (roll < 0.45) return sent(plainBody, 'generated');
  if (roll < 0.63) return sent(mutate(g, plainBody), 'mutated');
  if (roll < 0.68) return { signal, body: mutate(g, gzipSync(plainBody)), headers: { ...headers, 'content-encoding': 'gzip' }, kind: 'mutated gzip' };
  if (roll < 0.76) return sent(plainBody.subarray(0, g.int(plainBody.length)), 'truncated');
  if (roll < 0.83) {
    const wrong = g.pick<Record<string, string>>([{ 'content-type': 'text/plain' }, {}, { 'content-type': 'application/xml' }, { 'content-type': CONTENT_TYPES[encoding === 'otlp_json' ? 'otlp_proto' : 'otlp_json'] }, { ...headers, 'content-encoding': g.pick(['br', 'deflate', 'gzip']) }]);
    return { signal, body: plainBody, headers: wrong, kind: 'wrong headers' };
  }
  if (roll < 0.87) {
    const big = g.chance(0.5);
    // Past the body limit as sent, or a small gzip that inflates past the decoded cap.
    const body = big ? Buffer.alloc(BODY_LIMIT + 1 + g.int(1024), 0x0a) : gzipSync(Buffer.alloc(MAX_DECODED * (2 + g.int(8))));
    return { signal, body, headers: big ? headers : { ...headers, 'content-encoding': 'gzip' }, kind: 'oversized' };
  }
  if (roll < 0.91) {
    const depth = 20 + g.int(200);
    if (encoding === 'otlp_proto') {
      const nested = g.chance(0.5) ? nestedArrayAnyValue(depth) : nestedKvlistAnyValue(depth);
      return { signal: 'traces', body: traceRequest(len(9, keyValue('deep', nested))), headers, kind: 'deep' };
    }
    const value = '{"arrayValue":{"values":['.repeat(depth) + '{"stringValue":"x"}' + ']}}'.repeat(depth);
    const json = `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"${g.hex(32)}","spanId":"${g.hex(16)}","attributes":[{"key":"deep","value":${value}}]}]}]}]}`;
    return { signal: 'traces', body: Buffer.from(json), headers, kind: 'deep' };
  }
  if (roll < 0.96) {
    const body = Buffer.from(Array.from({ length: g.int(400) }, () => g.int(256)));
    return { signal, body, headers, kind: 'garbage' };
  }
  const json = Buffer.from(g.pick(JSON_ODDITIES));
  return { signal: json.includes('resourceLogs') ? 'logs' : 'traces', body: json, headers: { 'content-type': 'application/json' }, kind: 'json oddity' };
}

/** What the receiver keeps of an unauthenticated request: valid span ids, no other tenant, nothing normalization refuses. */
function receiverKeeps(record: DecodedRecord): boolean {
  if (record.signal === 'traces' && !(/^[0-9a-f]{32}$/.test(record.traceId) && /^[0-9a-f]{16}$/.test(record.spanId) && !/^0+$/.test(record.traceId) && !/^0+$/.test(record.spanId))) return false;
  const claimed = asString(record.resource['warden.tenant']);
  return (claimed === '' || claimed === 'default') && refusalOf(record) === undefined;
}

/**
 * Whether a stored record outlives the table's retention. The TTL is `toDateTime(time) + ttl
 * days`, a 32-bit DateTime: a row whose time is more than the TTL in the past (1970) is dropped,
 * and so is one whose time plus the TTL passes 2106-02-07 (the sum wraps to the past) — whole
 * parts at a time, at ClickHouse's pace. Such records may or may not be found.
 */
function outlivesRetention(record: DecodedRecord, ttlDays: number): boolean {
  const seconds = BigInt(eventTimes(record, () => BASE_NS.toString()).time) / 1_000_000_000n;
  const ttl = BigInt(ttlDays * 86_400);
  return seconds >= BigInt(Math.floor(Date.now() / 1000)) - ttl && seconds + ttl < 4_294_967_296n;
}

/** The rejected count an OTLP answer carries (0 when everything was accepted). */
function rejectedIn(signal: Signal, encoding: Encoding, body: Buffer): number {
  if (encoding === 'otlp_json') {
    const answer = JSON.parse(body.toString()) as { partialSuccess?: { rejectedSpans?: string; rejectedLogRecords?: string } };
    return Number(answer.partialSuccess?.rejectedSpans ?? answer.partialSuccess?.rejectedLogRecords ?? 0);
  }
  const type = signal === 'traces' ? otlpTypes.ExportTraceServiceResponse : otlpTypes.ExportLogsServiceResponse;
  const answer = type.toObject(type.decode(body), { longs: Number }) as { partialSuccess?: { rejectedSpans?: number; rejectedLogRecords?: number } };
  return answer.partialSuccess?.rejectedSpans ?? answer.partialSuccess?.rejectedLogRecords ?? 0;
}

async function sum(warden: TestWarden, counter: 'received' | 'sent' | 'errors' | 'deadLettered', labels: Record<string, string>): Promise<number> {
  const { values } = await warden.metrics[counter].get();
  return values.filter((v) => Object.entries(labels).every(([k, want]) => (v.labels as Record<string, unknown>)[k] === want)).reduce((n, v) => n + v.value, 0);
}

/** The ingest counters, for a failure message. */
async function counters(warden: TestWarden): Promise<string> {
  const out: Record<string, number> = {};
  for (const name of ['received', 'sent', 'errors', 'deadLettered'] as const) {
    for (const v of (await warden.metrics[name].get()).values) out[`${name}${JSON.stringify(v.labels)}`] = v.value;
  }
  return JSON.stringify(out);
}

async function storedIds(warden: TestWarden): Promise<Array<{ event_id: string; tenant: string }>> {
  const result = await warden.storage.client.query({ query: 'SELECT event_id, tenant FROM audit_events', format: 'JSONEachRow' });
  return result.json();
}

/**
 * What ClickHouse holds against what was sent: `sent` counts each event id's occurrences among
 * the records Warden should keep, `lasting` the ids retention keeps, `tenantOf` the tenant each
 * belongs to. A record is stored once; only a record that reached Warden more than once (the
 * same id: a fuzzed copy) may have been inserted up to that many times (later rows of the same
 * event collapse when parts merge).
 */
async function assertStoredOnce(warden: TestWarden, sent: Map<string, number>, lasting: Set<string>, tenantOf: (id: string) => string): Promise<void> {
  const occurrences = [...sent.values()].reduce((a, b) => a + b, 0);
  await waitFor(() => sum(warden, 'sent', { stage: 'clickhouse' }), (n) => n >= sent.size, { timeoutMs: 30_000, what: `${sent.size} inserted records` }).catch(async (err: Error) => {
    throw new Error(`${err.message}; counters ${await counters(warden)}`);
  });
  const inserted = await sum(warden, 'sent', { stage: 'clickhouse' });
  assert.ok(inserted >= sent.size && inserted <= occurrences, `${inserted} inserted for ${sent.size} records (${occurrences} sent)`);
  const rows = new Map<string, number>();
  for (const row of await storedIds(warden)) {
    assert.ok(sent.has(row.event_id), `stored ${row.event_id}, which nothing Warden kept held`);
    assert.equal(row.tenant, tenantOf(row.event_id), `tenant of ${row.event_id}`);
    rows.set(row.event_id, (rows.get(row.event_id) ?? 0) + 1);
  }
  for (const [id, n] of rows) assert.ok(n <= sent.get(id)!, `${id} stored ${n} times, sent ${sent.get(id)}`);
  assert.deepEqual([...lasting].filter((id) => !rows.has(id)), [], 'records kept by Warden missing from ClickHouse');
}

/** Runs `work` over items, `width` at a time. */
async function pool<T>(items: T[], width: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) {
      const index = next++;
      await work(items[index]!, index);
    }
  }));
}

test('fuzzed OTLP/HTTP requests: no 5xx, accepted records stored exactly once, the rest answered as rejected', async () => {
  const warden = await startTestWarden({ WARDEN_BODY_LIMIT_BYTES: String(BODY_LIMIT), WARDEN_MAX_DECODED_BYTES: String(MAX_DECODED) });
  try {
    const g = new Gen(SEED);
    const cases = Array.from({ length: HTTP_CASES }, () => httpCase(g));
    const statuses = new Map<string, number>();
    let accepted = 0;
    let rejected = 0;
    /** Event ids of accepted records → how many times they were sent. */
    const acceptedIds = new Map<string, number>();
    const lasting = new Set<string>();
    await pool(cases, 6, async (c, index) => {
      const res = await fetch(`${warden.url}/v1/${c.signal}`, { method: 'POST', headers: c.headers, body: c.body });
      const body = Buffer.from(await res.arrayBuffer());
      const label = `case ${index} (${c.kind}, seed ${SEED})`;
      statuses.set(`${res.status}`, (statuses.get(`${res.status}`) ?? 0) + 1);
      assert.ok([200, 400, 413, 415].includes(res.status), `${label}: answered ${res.status} ${body.toString('latin1').slice(0, 200)}`);
      if (res.status !== 200) return;
      // Answered 200: the request was an export request, which we decode as the server did.
      const encoding: Encoding = String(c.headers['content-type']).startsWith('application/json') ? 'otlp_json' : 'otlp_proto';
      const plain = c.headers['content-encoding'] === 'gzip' ? gunzipSync(c.body) : c.body;
      const decoded = decodeOtlp(c.signal, plain, encoding, { maxBytes: MAX_DECODED });
      const kept = decoded.filter(receiverKeeps);
      assert.equal(rejectedIn(c.signal, encoding, body), decoded.length - kept.length, `${label}: rejected count`);
      accepted += kept.length;
      rejected += decoded.length - kept.length;
      for (const record of kept) {
        const id = eventIdOf(record);
        acceptedIds.set(id, (acceptedIds.get(id) ?? 0) + 1);
        if (outlivesRetention(record, warden.config.clickhouse.ttlDays)) lasting.add(id);
      }
    });
    console.log(`fuzz-ingest http: ${HTTP_CASES} requests, answers ${JSON.stringify(Object.fromEntries(statuses))}, ${accepted} records accepted, ${rejected} rejected`);
    assert.ok((statuses.get('200') ?? 0) > HTTP_CASES / 4, 'a good share of requests is accepted');

    // Every accepted record is stored once, except those whose time retention drops.
    await assertStoredOnce(warden, acceptedIds, lasting, () => 'default');

    // Refused records were counted, and nothing refused reached the normalizer.
    const httpErrors = (await warden.metrics.errors.get()).values.filter((v) => v.labels.stage === 'http');
    const recordErrors = httpErrors.filter((v) => ['OTLP_INVALID_ID', 'TENANT_MISMATCH', 'INVALID_EVENT'].includes(String(v.labels.code))).reduce((n, v) => n + v.value, 0);
    assert.equal(recordErrors, rejected);
    assert.equal(await sum(warden, 'received', { stage: 'http' }), (await sum(warden, 'sent', { stage: 'http' })) + rejected);
    assert.equal(await sum(warden, 'errors', { stage: 'normalize', code: 'INVALID_EVENT' }), 0);
    assert.equal(await sum(warden, 'errors', { stage: 'normalize-worker' }), 0, 'the normalize worker never died');
    assert.equal(await sum(warden, 'received', { stage: 'decode' }), await sum(warden, 'sent', { stage: 'decode' }), 'nothing the receiver forwarded was undecodable');

    // Still answering.
    assert.equal((await fetch(`${warden.url}/healthz`)).status, 200);
  } finally {
    await warden.cleanup();
  }
});

const mock = kafkaMockAvailable();
let kafka: RunningKafka | undefined;
before(async () => {
  if (!mock.available) return;
  kafka = await startKafkaMock({
    topics: [
      { name: 'otlp_spans', partitions: 2 },
      { name: 'otlp_logs', partitions: 2 },
      { name: 'warden_dead_letter', partitions: 1 },
      { name: 'warden_revocations', partitions: 1 },
    ],
  });
});
after(async () => {
  await kafka?.stop();
});

interface KafkaCase {
  topic: string;
  signal: Signal;
  value: Buffer;
  headers: Record<string, string>;
}

function kafkaCase(g: Gen, index: number): KafkaCase {
  const signal: Signal = g.chance(0.5) ? 'traces' : 'logs';
  const topic = signal === 'traces' ? 'otlp_spans' : 'otlp_logs';
  const json = g.chance(0.25);
  const plain = encodeOtlp(signal, records(g, signal, ['default', 'tenB', 'tenC']), json ? 'otlp_json' : 'otlp_proto');
  const headers: Record<string, string> = { 'fuzz-case': String(index) };
  if (json) headers['content-type'] = 'application/json';
  // Now and then a label that is wrong (the other encoding) or names nothing Warden reads.
  if (g.chance(0.08)) headers['content-type'] = g.pick(['application/x-protobuf', 'application/json', 'text/plain']);
  if (index === KAFKA_CASES - 1) {
    // One gzip bomb: ~64 KB that inflates past what the consumer decodes (64 MiB).
    return { topic, signal, value: gzipSync(Buffer.alloc(65 * 1024 * 1024)), headers: { ...headers, 'content-encoding': 'gzip' } };
  }
  const roll = g.rand();
  let value = plain;
  if (roll < 0.12) value = mutate(g, plain);
  else if (roll < 0.2) value = plain.subarray(0, g.int(plain.length));
  else if (roll < 0.26) value = Buffer.from(Array.from({ length: g.int(300) }, () => g.int(256)));
  else if (roll < 0.29) value = traceRequest(len(9, keyValue('deep', nestedArrayAnyValue(40 + g.int(100)))));
  if (g.chance(0.25)) {
    headers['content-encoding'] = 'gzip';
    value = g.chance(0.1) ? mutate(g, gzipSync(value)) : gzipSync(value);
  }
  return { topic, signal, value, headers };
}

test('fuzzed Collector-format messages on Kafka: undecodable ones dead-lettered and counted, the rest stored exactly once or refused and counted', { skip: !mock.available && mock.reason }, async () => {
  const warden = await startTestWarden({ KAFKA_BROKERS: kafka!.bootstrap, KAFKA_IDEMPOTENT: 'false' });
  const client = new Kafka({ brokers: [kafka!.bootstrap], logLevel: logLevel.NOTHING });
  const producer = client.producer();
  const reader = client.consumer({ groupId: `fuzz-dlq-${SEED}` });
  try {
    const g = new Gen(SEED ^ 0x5a5a5a5a);
    const cases = Array.from({ length: KAFKA_CASES }, (_, i) => kafkaCase(g, i));
    // What Warden should make of each: the same decoder and the same refusal check.
    const undecodable = new Set<string>();
    const expected = new Map<string, number>(); // event id → occurrences
    const tenants = new Map<string, string>(); // event id → tenant
    const lasting = new Set<string>(); // of those, the ones retention keeps
    let refused = 0;
    let kept = 0;
    for (const [index, c] of cases.entries()) {
      let decoded: DecodedRecord[];
      try {
        const encoding = encodingOf(c.headers['content-type']) ?? 'otlp_proto'; // the topics' configured encoding
        decoded = decodeMessage({ signal: c.signal, encoding, key: null, value: c.value, headers: c.headers });
      } catch {
        undecodable.add(String(index));
        continue;
      }
      for (const record of decoded) {
        if (refusalOf(record)) {
          refused++;
          continue;
        }
        kept++;
        const id = eventIdOf(record);
        expected.set(id, (expected.get(id) ?? 0) + 1);
        tenants.set(id, asString(record.resource['warden.tenant']) || 'default');
        if (outlivesRetention(record, warden.config.clickhouse.ttlDays)) lasting.add(id);
      }
    }

    await producer.connect();
    await producer.send({ topic: 'otlp_spans', messages: cases.filter((c) => c.topic === 'otlp_spans').map((c) => ({ key: c.headers['fuzz-case']!, value: c.value, headers: c.headers })) });
    await producer.send({ topic: 'otlp_logs', messages: cases.filter((c) => c.topic === 'otlp_logs').map((c) => ({ key: c.headers['fuzz-case']!, value: c.value, headers: c.headers })) });

    await waitFor(() => sum(warden, 'received', { stage: 'decode' }), (n) => n >= KAFKA_CASES, { timeoutMs: 40_000, what: `${KAFKA_CASES} messages consumed` });
    console.log(`fuzz-ingest kafka: ${KAFKA_CASES} messages, ${undecodable.size} undecodable, ${kept} records kept (${expected.size} distinct, ${lasting.size} within retention), ${refused} refused`);
    // Stored once, each under the tenant its resource names (no receiver stood in between).
    await assertStoredOnce(warden, expected, lasting, (id) => tenants.get(id)!);

    // Every undecodable message is in the dead-letter topic (with its case header), and counted.
    const letters = new Set<string>();
    await reader.connect();
    await reader.subscribe({ topic: 'warden_dead_letter', fromBeginning: true });
    const strangers: string[] = [];
    await reader.run({
      eachMessage: async ({ message }) => {
        const index = message.headers?.['fuzz-case'];
        if (index === undefined) strangers.push(JSON.stringify(Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]))));
        else letters.add(String(index));
      },
    });
    await waitFor(async () => letters.size, (n) => n >= undecodable.size, { timeoutMs: 30_000, what: `${undecodable.size} dead letters` });
    assert.deepEqual(strangers, [], 'dead letters that are not fuzz cases');
    assert.deepEqual([...letters].sort(), [...undecodable].sort());
    assert.equal(await sum(warden, 'deadLettered', {}), undecodable.size);
    assert.equal(await sum(warden, 'errors', { stage: 'decode' }), undecodable.size);

    // Counters add up: decode (messages), normalize (records).
    assert.equal(await sum(warden, 'received', { stage: 'decode' }), (await sum(warden, 'sent', { stage: 'decode' })) + undecodable.size);
    assert.equal(await sum(warden, 'received', { stage: 'normalize' }), kept + refused);
    assert.equal(await sum(warden, 'errors', { stage: 'normalize', code: 'INVALID_EVENT' }), refused);
    assert.equal(await sum(warden, 'sent', { stage: 'normalize' }), kept);

    // Still answering.
    assert.equal((await fetch(`${warden.url}/healthz`)).status, 200);
  } finally {
    await reader.disconnect().catch(() => {});
    await producer.disconnect().catch(() => {});
    await warden.cleanup();
  }
});

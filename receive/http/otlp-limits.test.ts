/**
 * The OTLP/HTTP receiver's limits, against a real embedded Warden (HTTP, in-process queue,
 * normalize worker, chdb): the tenant is the receiver's to decide, a gzip bomb is refused with
 * 413 after inflating no more than the cap, a trickled body is cut off by the request timeout,
 * records normalization would refuse are reported through `partial_success` and never stored,
 * and the ingest counters add up stage by stage over the whole run.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { gzipSync } from 'node:zlib';
import protobuf from 'protobufjs';
import { DEFAULT_MAX_DECODED_BYTES } from '../../config/config.js';
import { encodeOtlp } from '../../decode/otlp/index.js';
import { INFLATE_CHUNK_BYTES } from '../../decode/otlp/gunzip.js';
import type { DecodedLogRecord, DecodedSpan } from '../../decode/otlp/records.js';
import { startTestWarden, type TestWarden } from '../../test/helpers/test-warden.js';
import { toolSpan } from '../../test/helpers/tool-span.js';
import { waitFor } from '../../test/helpers/wait-for.js';

const REQUEST_TIMEOUT_MS = 500;
const PROTO = { 'content-type': 'application/x-protobuf' };
const JSON_HEADERS = { 'content-type': 'application/json' };
/** A time past what storage holds (uint64 max nanoseconds, year 2554). */
const BEYOND_STORAGE = '18446744073709551615';

let warden: TestWarden;
/** Records the tests expect stored, by session. */
const expectedStored = new Map<string, number>();

before(async () => {
  warden = await startTestWarden({ WARDEN_HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS) });
});
after(async () => {
  await warden?.cleanup();
});

const statusType = protobuf.parse('syntax = "proto3"; message Status { int32 code = 1; string message = 2; }').root.lookupType('Status');

async function post(signal: 'traces' | 'logs', body: Uint8Array, headers: Record<string, string>): Promise<{ status: number; body: Buffer }> {
  const res = await fetch(`${warden.url}/v1/${signal}`, { method: 'POST', headers, body });
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()) };
}

async function rows(where: string): Promise<Array<{ tenant: string; session_id: string; n: string }>> {
  const result = await warden.storage.client.query({
    query: `SELECT tenant, session_id, count() AS n FROM audit_events WHERE ${where} GROUP BY tenant, session_id ORDER BY tenant, session_id`,
    format: 'JSONEachRow',
  });
  return result.json();
}

function logRecord(sessionId: string, overrides: Partial<DecodedLogRecord> = {}): DecodedLogRecord {
  const now = (BigInt(Date.now()) * 1_000_000n).toString();
  return {
    signal: 'logs',
    resource: { 'service.name': 'claude-code', 'session.id': sessionId },
    scope: { name: 'com.anthropic.claude_code.events', version: '2.0.0' },
    timeUnixNano: now,
    observedTimeUnixNano: now,
    severityNumber: 9,
    severityText: 'INFO',
    body: 'claude_code.tool_result',
    attributes: { 'event.name': 'tool_result', 'session.id': sessionId, tool_name: 'Bash', success: 'true' },
    traceId: '',
    spanId: '',
    eventName: 'claude_code.tool_result',
    ...overrides,
  };
}

test('without a token a record cannot choose its tenant; an admin token cannot either', async () => {
  const claimed = toolSpan('tenant-claim', 'ls', { 'warden.tenant': 'tenB' });
  const plain = toolSpan('tenant-claim', 'pwd');
  const anonymous = await post('traces', encodeOtlp('traces', [claimed, plain], 'otlp_json'), JSON_HEADERS);
  assert.equal(anonymous.status, 200);
  const answer = JSON.parse(anonymous.body.toString()) as { partialSuccess?: { rejectedSpans?: string; errorMessage?: string } };
  assert.equal(Number(answer.partialSuccess?.rejectedSpans), 1, anonymous.body.toString());
  assert.match(answer.partialSuccess!.errorMessage!, /TENANT_MISMATCH/);

  const admin = warden.createdToken!;
  const asAdmin = await post('traces', encodeOtlp('traces', [toolSpan('tenant-claim-admin', 'ls', { 'warden.tenant': 'tenB' })], 'otlp_json'), {
    ...JSON_HEADERS,
    authorization: `Bearer ${admin.token}`,
  });
  assert.equal(asAdmin.status, 200);
  assert.equal(Number((JSON.parse(asAdmin.body.toString()) as { partialSuccess?: { rejectedSpans?: string } }).partialSuccess?.rejectedSpans), 1);
  // Naming the request's own tenant is fine.
  const own = await post('traces', encodeOtlp('traces', [toolSpan('tenant-claim', 'id', { 'warden.tenant': 'default' })], 'otlp_proto'), PROTO);
  assert.equal(own.status, 200);
  assert.equal(own.body.length, 0, 'everything accepted: an empty response');
  expectedStored.set('tenant-claim', 2);

  await waitFor(() => rows("session_id = 'tenant-claim'"), (r) => r.length === 1 && r[0]!.n === '2', { what: 'the two accepted spans' });
  assert.deepEqual(await rows("session_id LIKE 'tenant-claim%'"), [{ tenant: 'default', session_id: 'tenant-claim', n: '2' }]);
  assert.deepEqual(await rows("tenant = 'tenB'"), []);
});

test('a gzip bomb is refused with 413 and an OTLP Status, after inflating no more than the cap', async () => {
  // A valid export request whose one attribute inflates to 24 MiB: ~25 KB on the wire.
  const span = toolSpan('gzip-bomb', 'ls');
  span.attributes['padding'] = 'a'.repeat(24 * 1024 * 1024);
  const bomb = gzipSync(encodeOtlp('traces', [span], 'otlp_proto'));
  assert.ok(bomb.length < 64 * 1024, `bomb is ${bomb.length} bytes`);
  const before = await warden.metrics.received.get();
  const res = await post('traces', bomb, { ...PROTO, 'content-encoding': 'gzip' });
  assert.equal(res.status, 413);
  const status = statusType.toObject(statusType.decode(res.body)) as { code: number; message: string };
  assert.equal(status.code, 3);
  const stoppedAt = Number(/stopped after (\d+) bytes/.exec(status.message)?.[1]);
  assert.ok(stoppedAt > DEFAULT_MAX_DECODED_BYTES && stoppedAt <= DEFAULT_MAX_DECODED_BYTES + INFLATE_CHUNK_BYTES, status.message);
  assert.deepEqual(await warden.metrics.received.get(), before, 'nothing of it was decoded into records');

  // A JSON body is answered in JSON; the server keeps answering.
  const json = await post('logs', gzipSync(Buffer.from(`{"resourceLogs":[],"pad":"${'b'.repeat(20 * 1024 * 1024)}"}`)), { ...JSON_HEADERS, 'content-encoding': 'gzip' });
  assert.equal(json.status, 413);
  assert.equal((JSON.parse(json.body.toString()) as { code: number }).code, 3);
  assert.equal((await fetch(`${warden.url}/healthz`)).status, 200);
});

test('a trickled body is cut off by the request timeout (408, connection closed)', async () => {
  const { port } = new URL(warden.url);
  const socket = net.connect(Number(port), '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const answer: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => answer.push(chunk));
  socket.on('error', () => {}); // writes after the server closed: expected
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const bodyBytes = 200;
  socket.write(`POST /v1/traces HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-protobuf\r\nContent-Length: ${bodyBytes}\r\n\r\n`);
  // One byte every 50 ms: the whole body would take 10 s, twenty times the timeout.
  let sent = 0;
  let open = true;
  void closed.then(() => (open = false));
  while (open && sent < bodyBytes) {
    socket.write(Buffer.from([0x0a]));
    sent++;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  if (open) socket.destroy();
  assert.ok(sent < bodyBytes, `the server waited for the whole trickled body (${sent} bytes)`);
  await closed;
  assert.match(Buffer.concat(answer).toString('latin1'), /^HTTP\/1\.1 408 /);
  assert.equal((await fetch(`${warden.url}/healthz`)).status, 200);
});

test('records normalization would refuse are reported in partial_success and never stored', async () => {
  const good = toolSpan('refused-records', 'ls');
  const late: DecodedSpan = { ...toolSpan('refused-records', 'pwd'), endTimeUnixNano: BEYOND_STORAGE };
  const traces = await post('traces', encodeOtlp('traces', [good, late], 'otlp_proto'), PROTO);
  assert.equal(traces.status, 200);
  const tracesType = protobuf.parse(
    'syntax = "proto3"; message P { int64 rejected_spans = 1; string error_message = 2; } message R { P partial_success = 1; }',
  ).root.lookupType('R');
  const partial = (tracesType.toObject(tracesType.decode(traces.body), { longs: Number }) as { partialSuccess?: { rejectedSpans: number; errorMessage: string } }).partialSuccess;
  assert.equal(partial?.rejectedSpans, 1);
  assert.match(partial!.errorMessage, /end time is beyond what storage holds.*INVALID_EVENT/);

  const logs = await post('logs', encodeOtlp('logs', [logRecord('refused-records'), logRecord('refused-records', { observedTimeUnixNano: BEYOND_STORAGE })], 'otlp_json'), JSON_HEADERS);
  assert.equal(logs.status, 200);
  const answer = JSON.parse(logs.body.toString()) as { partialSuccess?: { rejectedLogRecords?: string; errorMessage?: string } };
  assert.equal(Number(answer.partialSuccess?.rejectedLogRecords), 1);
  assert.match(answer.partialSuccess!.errorMessage!, /observed time is beyond what storage holds/);
  expectedStored.set('refused-records', 2);

  await waitFor(() => rows("session_id = 'refused-records'"), (r) => r[0]?.n === '2', { what: 'the two accepted records' });
  const normalizeErrors = (await warden.metrics.errors.get()).values.filter((v) => v.labels.stage === 'normalize');
  assert.deepEqual(normalizeErrors, [], 'nothing refused reached the normalizer');
});

/** Sum of a counter's values whose labels match. */
async function sum(counter: 'received' | 'sent' | 'errors', labels: Record<string, string>): Promise<number> {
  const { values } = await warden.metrics[counter].get();
  return values.filter((v) => Object.entries(labels).every(([k, want]) => v.labels[k as keyof typeof v.labels] === want)).reduce((n, v) => n + v.value, 0);
}

test('ingest counters add up stage by stage over the run: received = sent + refused', async () => {
  // Some more traffic of both signals, several sessions per request.
  const spans = Array.from({ length: 30 }, (_, i) => toolSpan(`counted-${i % 3}`, 'git status'));
  assert.equal((await post('traces', encodeOtlp('traces', spans, 'otlp_proto'), PROTO)).status, 200);
  const at = BigInt(Date.now()) * 1_000_000n;
  const logs = Array.from({ length: 12 }, (_, i) => logRecord(`counted-${i % 4}`, { timeUnixNano: (at + BigInt(i)).toString() }));
  assert.equal((await post('logs', gzipSync(encodeOtlp('logs', logs, 'otlp_json')), { ...JSON_HEADERS, 'content-encoding': 'gzip' })).status, 200);
  const expected = [...expectedStored.values()].reduce((a, b) => a + b, 0) + spans.length + logs.length;
  await waitFor(() => sum('sent', { stage: 'clickhouse' }), (n) => n >= expected, { what: `${expected} stored records` });

  const httpReceived = await sum('received', { stage: 'http' });
  const httpSent = await sum('sent', { stage: 'http' });
  const httpRefused = (await sum('errors', { stage: 'http', code: 'TENANT_MISMATCH' })) + (await sum('errors', { stage: 'http', code: 'INVALID_EVENT' })) + (await sum('errors', { stage: 'http', code: 'OTLP_INVALID_ID' }));
  assert.equal(httpRefused, 4, 'two tenant claims, two refused times');
  assert.equal(httpReceived, httpSent + httpRefused, 'http: received = sent + refused');

  const normalizeReceived = await sum('received', { stage: 'normalize' });
  assert.equal(normalizeReceived, httpSent, 'every record the receiver sent on was normalized once');
  assert.equal(normalizeReceived, (await sum('sent', { stage: 'normalize' })) + (await sum('errors', { stage: 'normalize' })), 'normalize: received = sent + refused');

  assert.equal(await sum('sent', { stage: 'memory-producer' }), await sum('received', { stage: 'memory-consumer' }), 'queue: messages in = messages out');
  const decodeReceived = await sum('received', { stage: 'decode' });
  assert.equal(decodeReceived, await sum('received', { stage: 'memory-consumer' }));
  assert.equal(decodeReceived, (await sum('sent', { stage: 'decode' })) + (await sum('errors', { stage: 'decode' })), 'decode: received = sent + dead-lettered');
  assert.equal(await sum('sent', { stage: 'clickhouse' }), await sum('sent', { stage: 'normalize' }), 'every normalized record stored once');
  assert.equal(await sum('sent', { stage: 'clickhouse' }), expected);
});

/**
 * The OTLP/HTTP receiver against the real in-process transport: what reaches the transport,
 * and what the client is told for bad input, pressure and partial success. The receiver's plugin
 * is registered alone (with `warden-auth`, its dependency) on a fastify of its own: each test
 * reads what reached a transport it starts itself, with its own capacity, keying and body limit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import protobuf from 'protobufjs';
import Fastify from 'fastify';
import { otlpReceiverPlugin } from './otlp-route.js';
import { authPlugin } from '../../serve/api/plugins/auth.js';
import { errorAnswerer, notFound } from '../../serve/api/plugins/api-conventions.js';
import { DEFAULT_MAX_DECODED_BYTES } from '../../config/config.js';
import { sessionIdOf } from '../../normalize/index.js';
import { TokenRegistry } from '../../config/tokens.js';
import { createMemoryTransport } from '../transport/memory.js';
import { decodeOtlp, encodeOtlp } from '../../decode/otlp/index.js';
import type { DecodedSpan } from '../../decode/otlp/records.js';
import type { ConsumedMessage } from '../transport/transport.js';
import { Metrics } from '../../lib/metrics.js';
import { silentLogger } from '../../lib/logger.js';
import { waitFor } from '../../test/helpers/wait-for.js';

const TOKEN = 'wdn_test_token_acme_0123456789';

function span(sessionId: string, spanId: string, overrides: Partial<DecodedSpan> = {}): DecodedSpan {
  return {
    signal: 'traces',
    resource: { 'service.name': 'agent', 'session.id': sessionId },
    scope: { name: 'test', version: '1' },
    traceId: '5b8efff798038103d269b633813fc60c',
    spanId,
    parentSpanId: '',
    name: 'execute_tool Bash',
    kind: 1,
    startTimeUnixNano: '1763740800000000000',
    endTimeUnixNano: '1763740800100000000',
    attributes: { 'gen_ai.tool.name': 'Bash' },
    events: [],
    status: { code: 0, message: '' },
    ...overrides,
  };
}

async function setup(options: { capacity?: number; consume?: boolean; requireToken?: boolean; bodyLimit?: number; keyBySession?: boolean } = {}) {
  const metrics = new Metrics();
  const transport = createMemoryTransport({ capacity: options.capacity ?? 100, logger: silentLogger, metrics });
  const received: ConsumedMessage[] = [];
  if (options.consume !== false) await transport.consumer.start(async (batch) => void received.push(...batch));
  const app = Fastify({ logger: false, bodyLimit: options.bodyLimit ?? 1024 * 1024 });
  app.register(authPlugin, { tokens: new TokenRegistry([{ name: 'acme', token: TOKEN, tenant: 'acme', roles: ['ingest'] }]), ingestRequiresToken: options.requireToken ?? false });
  app.register(otlpReceiverPlugin, {
    producer: transport.producer,
    metrics,
    maxDecodedBytes: DEFAULT_MAX_DECODED_BYTES,
    sessionIdOf,
    ...(options.keyBySession === undefined ? {} : { keyBySession: options.keyBySession }),
    answerError: errorAnswerer({ logger: silentLogger, metrics }),
    notFound,
  });
  return {
    app,
    received,
    close: async () => {
      await app.close();
      await transport.consumer.stop();
      await transport.producer.close();
    },
  };
}

const statusType = protobuf.parse('syntax = "proto3"; message Status { int32 code = 1; string message = 2; }').root.lookupType('Status');
const responseType = protobuf
  .parse('syntax = "proto3"; message Partial { int64 rejected_spans = 1; string error_message = 2; } message Response { Partial partial_success = 1; }')
  .root.lookupType('Response');

function decodeExportResponse(bytes: Buffer): { rejected: number; message: string } {
  const answer = responseType.toObject(responseType.decode(bytes), { longs: Number }) as { partialSuccess?: { rejectedSpans?: number; errorMessage?: string } };
  return { rejected: answer.partialSuccess?.rejectedSpans ?? 0, message: answer.partialSuccess?.errorMessage ?? '' };
}

test('a protobuf request with one session is forwarded as is, keyed by the session', async () => {
  const t = await setup();
  try {
    const body = encodeOtlp('traces', [span('s-1', 'eee19b7ec3c1b174'), span('s-1', 'eee19b7ec3c1b175')], 'otlp_proto');
    const res = await t.app.inject({ method: 'POST', url: '/v1/traces', headers: { 'content-type': 'application/x-protobuf' }, payload: body });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'application/x-protobuf');
    await waitFor(async () => t.received.length, (n) => n === 1, { what: 'one message' });
    assert.equal(t.received[0]!.key, 's-1');
    assert.deepEqual(t.received[0]!.value, body);
  } finally {
    await t.close();
  }
});

test('a request mixing sessions is split into one message per session', async () => {
  const t = await setup();
  try {
    const body = encodeOtlp('traces', [span('s-a', 'eee19b7ec3c1b174'), span('s-b', 'eee19b7ec3c1b175'), span('s-a', 'eee19b7ec3c1b176')], 'otlp_json');
    const res = await t.app.inject({ method: 'POST', url: '/v1/traces', headers: { 'content-type': 'application/json' }, payload: body });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(JSON.parse(res.body), {});
    await waitFor(async () => t.received.length, (n) => n === 2, { what: 'two messages' });
    const byKey = new Map(t.received.map((m) => [m.key, decodeOtlp('traces', m.value, m.encoding)]));
    assert.deepEqual([...byKey.keys()].sort(), ['s-a', 's-b']);
    assert.deepEqual(byKey.get('s-a')!.map((r) => (r as DecodedSpan).spanId), ['eee19b7ec3c1b174', 'eee19b7ec3c1b176']);
  } finally {
    await t.close();
  }
});

test('spans without valid ids are rejected individually through partial_success', async () => {
  const t = await setup();
  try {
    const body = encodeOtlp('traces', [span('s-1', 'eee19b7ec3c1b174'), span('s-1', '0000000000000000')], 'otlp_json');
    const res = await t.app.inject({ method: 'POST', url: '/v1/traces', headers: { 'content-type': 'application/json' }, payload: body });
    assert.equal(res.statusCode, 200);
    const answer = JSON.parse(res.body) as { partialSuccess?: { rejectedSpans?: number | string; errorMessage?: string } };
    assert.equal(Number(answer.partialSuccess?.rejectedSpans), 1);
    await waitFor(async () => t.received.length, (n) => n === 1, { what: 'the accepted span' });
    assert.equal(decodeOtlp('traces', t.received[0]!.value, 'otlp_json').length, 1);
  } finally {
    await t.close();
  }
});

test('unkeyed (the in-process queue): a request is scanned and forwarded as is, whatever its sessions', async () => {
  const t = await setup({ keyBySession: false });
  try {
    const body = encodeOtlp('traces', [span('s-a', 'eee19b7ec3c1b174'), span('s-b', 'eee19b7ec3c1b175'), span('s-a', 'eee19b7ec3c1b176')], 'otlp_proto');
    const res = await t.app.inject({ method: 'POST', url: '/v1/traces', headers: { 'content-type': 'application/x-protobuf' }, payload: body });
    assert.equal(res.statusCode, 200);
    await waitFor(async () => t.received.length, (n) => n === 1, { what: 'one message' });
    assert.equal(t.received[0]!.key, null);
    assert.ok(t.received[0]!.value.equals(body), 'the bytes as sent');
    assert.equal(t.received[0]!.headers?.['warden-tenant'], 'default');
  } finally {
    await t.close();
  }
});

test('unkeyed: refused records are reported and left out, the rest forwarded; bad bodies are 400', async () => {
  const t = await setup({ keyBySession: false });
  try {
    const claimsOther = span('s-1', 'eee19b7ec3c1b176', { resource: { 'session.id': 's-1', 'warden.tenant': 'other' } });
    const farFuture = span('s-1', 'eee19b7ec3c1b177', { startTimeUnixNano: '18446744073709551615' });
    const body = encodeOtlp('traces', [span('s-1', 'eee19b7ec3c1b174'), span('s-1', '0000000000000000'), claimsOther, farFuture, span('s-2', 'eee19b7ec3c1b175')], 'otlp_proto');
    const res = await t.app.inject({ method: 'POST', url: '/v1/traces', headers: { 'content-type': 'application/x-protobuf' }, payload: body });
    assert.equal(res.statusCode, 200);
    const answer = decodeExportResponse(res.rawPayload);
    assert.equal(answer.rejected, 3);
    assert.match(answer.message, /OTLP_INVALID_ID/);
    assert.match(answer.message, /TENANT_MISMATCH/);
    assert.match(answer.message, /INVALID_EVENT/);
    await waitFor(async () => t.received.length, (n) => n === 1, { what: 'the accepted spans' });
    assert.deepEqual(decodeOtlp('traces', t.received[0]!.value, 'otlp_proto').map((r) => (r as DecodedSpan).spanId), ['eee19b7ec3c1b174', 'eee19b7ec3c1b175']);

    const bad = await t.app.inject({ method: 'POST', url: '/v1/traces', headers: { 'content-type': 'application/x-protobuf' }, payload: Buffer.from([0x0a, 0x05, 0x0a]) });
    assert.equal(bad.statusCode, 400);
    assert.equal(t.received.length, 1, 'nothing more forwarded');
  } finally {
    await t.close();
  }
});

test('gzip bodies are accepted', async () => {
  const t = await setup();
  try {
    const body = gzipSync(encodeOtlp('traces', [span('s-gz', 'eee19b7ec3c1b174')], 'otlp_proto'));
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/traces',
      headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' },
      payload: body,
    });
    assert.equal(res.statusCode, 200);
    await waitFor(async () => t.received.length, (n) => n === 1, { what: 'the gzipped span' });
    assert.equal(t.received[0]!.key, 's-gz');
  } finally {
    await t.close();
  }
});

test('undecodable bodies get 400 with an OTLP Status, in the request encoding, and nothing is forwarded', async () => {
  const t = await setup();
  try {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/traces',
      headers: { 'content-type': 'application/x-protobuf' },
      payload: Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]),
    });
    assert.equal(res.statusCode, 400);
    const status = statusType.toObject(statusType.decode(res.rawPayload)) as { code: number; message: string };
    assert.equal(status.code, 3);
    assert.match(status.message, /./);

    const json = await t.app.inject({ method: 'POST', url: '/v1/logs', headers: { 'content-type': 'application/json' }, payload: '{"resourceLogs": 7}' });
    assert.equal(json.statusCode, 400);
    assert.equal((JSON.parse(json.body) as { code: number }).code, 3);

    const badGzip = await t.app.inject({
      method: 'POST',
      url: '/v1/traces',
      headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' },
      payload: Buffer.from('not gzip at all'),
    });
    assert.equal(badGzip.statusCode, 400);

    const unsupported = await t.app.inject({ method: 'POST', url: '/v1/traces', headers: { 'content-type': 'text/plain' }, payload: 'hello' });
    assert.equal(unsupported.statusCode, 415);
    assert.equal(t.received.length, 0);
  } finally {
    await t.close();
  }
});

test('bodies over the limit get 413', async () => {
  const t = await setup({ bodyLimit: 2048 });
  try {
    const res = await t.app.inject({ method: 'POST', url: '/v1/traces', headers: { 'content-type': 'application/x-protobuf' }, payload: Buffer.alloc(4096) });
    assert.equal(res.statusCode, 413);
  } finally {
    await t.close();
  }
});

test('a full queue answers 429 with Retry-After, never 500', async () => {
  const t = await setup({ capacity: 1, consume: false });
  try {
    const send = (id: string) =>
      t.app.inject({
        method: 'POST',
        url: '/v1/traces',
        headers: { 'content-type': 'application/x-protobuf' },
        payload: encodeOtlp('traces', [span(id, 'eee19b7ec3c1b174')], 'otlp_proto'),
      });
    assert.equal((await send('s-1')).statusCode, 200);
    const refused = await send('s-2');
    assert.equal(refused.statusCode, 429);
    assert.equal(refused.headers['retry-after'], '1');
  } finally {
    await t.close();
  }
});

test('when ingest requires a token: 401 without, and the token tenant travels with the message', async () => {
  const t = await setup({ requireToken: true });
  try {
    const payload = encodeOtlp('traces', [span('s-t', 'eee19b7ec3c1b174')], 'otlp_proto');
    const headers = { 'content-type': 'application/x-protobuf' };
    assert.equal((await t.app.inject({ method: 'POST', url: '/v1/traces', headers, payload })).statusCode, 401);
    const wrong = await t.app.inject({ method: 'POST', url: '/v1/traces', headers: { ...headers, authorization: 'Bearer nope' }, payload });
    assert.equal(wrong.statusCode, 401);
    const ok = await t.app.inject({ method: 'POST', url: '/v1/traces', headers: { ...headers, authorization: `Bearer ${TOKEN}` }, payload });
    assert.equal(ok.statusCode, 200);
    await waitFor(async () => t.received.length, (n) => n === 1, { what: 'the authenticated span' });
    assert.equal(t.received[0]!.headers?.['warden-tenant'], 'acme');

    const otherTenant = span('s-t', 'eee19b7ec3c1b175', { resource: { 'session.id': 's-t', 'warden.tenant': 'globex' } });
    const spoof = await t.app.inject({
      method: 'POST',
      url: '/v1/traces',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      payload: encodeOtlp('traces', [otherTenant], 'otlp_json'),
    });
    assert.equal(spoof.statusCode, 200);
    assert.equal(Number((JSON.parse(spoof.body) as { partialSuccess: { rejectedSpans: string } }).partialSuccess.rejectedSpans), 1);
  } finally {
    await t.close();
  }
});

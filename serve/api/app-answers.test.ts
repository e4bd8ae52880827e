/**
 * What the HTTP app answers at its edges, through the one assembly (a real Warden): a wrong or
 * missing content type, an empty body, invalid JSON, a body over the limit, an unreadable
 * protobuf, a bad token — on the OTLP receiver (an OTLP Status in the request's encoding), the
 * operator API and the gate (`{error: {code, message}}`), the hooks (the agent's own answer),
 * and on paths no route serves. Each area parses and answers errors in its own plugin; these
 * answers are the ones the app gave before it was split into plugins, and must not move.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeStatus } from '../../receive/http/otlp-status.js';
import { startTestWarden, type TestWarden } from '../../test/helpers/test-warden.js';

const ADMIN = 'wdn_test_answers_admin_000000';
const INGEST = 'wdn_test_answers_ingest_00000';
const BIG = 'x'.repeat(2000);

let warden: TestWarden;
before(async () => {
  warden = await startTestWarden(
    { WARDEN_BODY_LIMIT_BYTES: '1024', WARDEN_GRPC: 'false', WARDEN_NORMALIZE_WORKER: 'false' },
    { tokens: [{ name: 'root', token: ADMIN, tenant: 'default', roles: ['admin'] }, { name: 'hook', token: INGEST, tenant: 'default', roles: ['ingest'] }] },
  );
});
after(() => warden.cleanup());

interface Answer {
  status: number;
  type: string;
  body: string;
}

async function ask(method: 'GET' | 'POST', url: string, headers: Record<string, string> = {}, payload?: string | Buffer): Promise<Answer> {
  const res = await warden.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload }) });
  const type = String(res.headers['content-type'] ?? '');
  return { status: res.statusCode, type, body: type.includes('protobuf') ? res.rawPayload.toString('base64') : res.body };
}

const PROTOBUF = 'application/x-protobuf';
const JSON_UTF8 = 'application/json; charset=utf-8';
const otlpProto = (status: number, code: number, message: string): Answer => ({ status, type: PROTOBUF, body: encodeStatus(code, message, false).toString('base64') });
const otlpJson = (status: number, code: number, message: string): Answer => ({ status, type: 'application/json', body: JSON.stringify({ code, message }) });
const apiError = (status: number, code: string, message: string): Answer => ({ status, type: JSON_UTF8, body: JSON.stringify({ error: { code, message } }) });
const json = { 'content-type': 'application/json' };
const proto = { 'content-type': PROTOBUF };

test('OTLP receiver: content types, empty and invalid bodies, the body limit, tokens — answered as an OTLP Status', async () => {
  const unsupported = (type: string) => `unsupported content type ${JSON.stringify(type)}; use application/x-protobuf or application/json`;
  assert.deepEqual(await ask('POST', '/v1/traces', { 'content-type': 'text/plain' }, 'hello'), otlpProto(415, 3, unsupported('text/plain')));
  assert.deepEqual(await ask('POST', '/v1/traces', {}, 'hello'), otlpProto(415, 3, unsupported('')));
  assert.deepEqual(await ask('POST', '/v1/traces', proto, ''), { status: 200, type: PROTOBUF, body: '' });
  assert.deepEqual(await ask('POST', '/v1/logs', json, ''), otlpJson(400, 3, 'invalid JSON: Unexpected end of JSON input'));
  assert.deepEqual(await ask('POST', '/v1/traces', json, '{"resourceSpans": ['), otlpJson(400, 3, 'invalid JSON: Unexpected end of JSON input'));
  assert.deepEqual(await ask('POST', '/v1/traces', proto, Buffer.from([0x0a, 0xff, 0xff, 0xff])), otlpProto(400, 3, 'invalid protobuf: truncated length at byte 1'));
  assert.deepEqual(await ask('POST', '/v1/traces', proto, BIG), otlpProto(413, 3, 'Request body is too large'));
  assert.deepEqual(await ask('POST', '/v1/traces', json, BIG), otlpJson(413, 3, 'Request body is too large'));
  assert.deepEqual(await ask('POST', '/v1/traces', { ...proto, authorization: 'Bearer nope' }, ''), otlpProto(401, 16, 'unknown token'));
  assert.deepEqual(await ask('POST', '/v1/traces', { ...json, 'content-encoding': 'br' }, '{}'), otlpJson(415, 3, 'unsupported content encoding "br"; use gzip or none'));
  assert.deepEqual(await ask('POST', '/v1/logs', { ...json, authorization: `Bearer ${INGEST}` }, '{}'), { status: 200, type: 'application/json', body: '{}' });
});

test('operator API and gate: JSON bodies, any content type, the body limit, tokens, schemas — answered as {error}', async () => {
  const admin = { ...json, authorization: `Bearer ${ADMIN}` };
  const sqlRequired = apiError(400, 'INVALID_REQUEST', 'body must be {"sql": "<one SELECT statement>"}');
  assert.deepEqual(await ask('POST', '/api/v1/query', admin, '{"sql": '), apiError(400, 'INVALID_JSON', 'request body is not valid JSON'));
  assert.deepEqual(await ask('POST', '/api/v1/query', admin, ''), sqlRequired, 'an empty body is {}');
  assert.deepEqual(await ask('POST', '/api/v1/query', { ...admin, 'content-type': 'text/plain' }, '{"sql": ""}'), sqlRequired, 'read as JSON whatever the type');
  assert.deepEqual(await ask('POST', '/api/v1/query', admin, JSON.stringify({ sql: BIG })), apiError(413, 'BODY_TOO_LARGE', 'Request body is too large'));
  assert.deepEqual(await ask('POST', '/api/v1/query', json, '{}'), apiError(401, 'UNAUTHENTICATED', 'missing bearer token'));
  const schema = await ask('GET', '/api/v1/findings?severity=urgent', { authorization: `Bearer ${ADMIN}` });
  assert.deepEqual([schema.status, (JSON.parse(schema.body) as { error: { code: string } }).error.code], [400, 'INVALID_REQUEST']);

  const ingest = { ...json, authorization: `Bearer ${INGEST}` };
  assert.deepEqual(await ask('POST', '/api/v1/gate', ingest, '{'), apiError(400, 'INVALID_JSON', 'request body is not valid JSON'));
  assert.deepEqual(await ask('POST', '/api/v1/gate', ingest, ''), apiError(400, 'INVALID_REQUEST', "body must have required property 'session_id'"));
  assert.deepEqual(await ask('POST', '/api/v1/gate', ingest, BIG), apiError(413, 'BODY_TOO_LARGE', 'Request body is too large'));
});

test('hooks: an unreadable or empty payload is answered in the agent\'s format; limits and tokens as the API', async () => {
  const ingest = { ...json, authorization: `Bearer ${INGEST}` };
  const unreadable = {
    status: 200,
    type: JSON_UTF8,
    body: `${JSON.stringify({ decision: 'block', reason: 'Warden could not read this hook payload (hook input is not a JSON object); tool calls are blocked until it can (fail=closed).' })}\n`,
  };
  assert.deepEqual(await ask('POST', '/api/v1/hooks/claude-code', ingest, '{not json'), unreadable);
  assert.deepEqual(await ask('POST', '/api/v1/hooks/claude-code', ingest, ''), unreadable);
  assert.deepEqual(await ask('POST', '/api/v1/hooks/claude-code', ingest, BIG), apiError(413, 'BODY_TOO_LARGE', 'Request body is too large'));
  assert.deepEqual(await ask('POST', '/api/v1/hooks/claude-code', { ...json, authorization: 'Bearer nope' }, '{}'), apiError(401, 'UNAUTHENTICATED', 'unknown token'));
  const unknown = await ask('POST', '/api/v1/hooks/nope', ingest, '{}');
  assert.deepEqual([unknown.status, (JSON.parse(unknown.body) as { error: { code: string } }).error.code], [404, 'UNKNOWN_AGENT']);
});

test('paths no route serves: 404 as the API answers it; a body is read first, as the area of its path reads it', async () => {
  const notFound = apiError(404, 'NOT_FOUND', 'no such route');
  assert.deepEqual(await ask('GET', '/nope'), notFound);
  assert.deepEqual(await ask('GET', '/v1/traces'), notFound);
  assert.deepEqual(await ask('POST', '/v1/metrics', json, '{}'), notFound);
  assert.deepEqual(await ask('POST', '/v1/nope', json, '{bad'), notFound, 'an OTLP path takes bytes as they come');
  assert.deepEqual(await ask('POST', '/nope', json, '{bad'), apiError(400, 'INVALID_JSON', 'request body is not valid JSON'));
  assert.deepEqual(await ask('POST', '/healthz', json, '{bad'), apiError(400, 'INVALID_JSON', 'request body is not valid JSON'));
  assert.deepEqual(await ask('GET', '/healthz'), { status: 200, type: JSON_UTF8, body: '{"status":"ok"}' });
});

test('each area is a plugin with its name, registered after the ones it depends on', () => {
  for (const name of ['warden-auth', 'warden-tenant-scope', 'warden-health', 'warden-otlp-receiver', 'warden-hooks', 'warden-gate', 'warden-operator-api']) {
    assert.ok(warden.app.hasPlugin(name), name);
  }
});

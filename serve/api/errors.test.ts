/**
 * The HTTP error handler answers every code of the closed list with the one status the list
 * gives it, through the real app: on an API route as `{error: {code, message}}`, on an OTLP route
 * as an OTLP Status. A Kafka failure reaches an OTLP client as 413/500/503 with its code — never
 * as 400, which tells an OTLP exporter its data is bad and to drop it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import kafkajs from 'kafkajs';
import Fastify, { type FastifyInstance } from 'fastify';
import { authPlugin } from './plugins/auth.js';
import { errorAnswerer, notFound, useApiConventions } from './plugins/api-conventions.js';
import { otlpReceiverPlugin } from '../../receive/http/otlp-route.js';
import { sessionIdOf } from '../../normalize/index.js';
import { DEFAULT_MAX_DECODED_BYTES } from '../../config/config.js';
import { toHttpError } from './errors.js';
import { TokenRegistry } from '../../config/tokens.js';
import { ERROR_CODES, isErrorCode, type ErrorCode } from '../../lib/error-codes.js';
import { ApiError, WardenError } from '../../lib/errors.js';
import { silentLogger } from '../../lib/logger.js';
import { Metrics } from '../../lib/metrics.js';
import { encodeOtlp } from '../../decode/otlp/index.js';
import { toTransportError } from '../../receive/kafka/errors.js';
import type { TransportProducer } from '../../receive/transport/transport.js';

// kafkajs is CommonJS and builds its exports in a way Node cannot list as named ESM exports.
const { KafkaJSProtocolError, KafkaJSConnectionError } = kafkajs;

const CODES = Object.keys(ERROR_CODES) as ErrorCode[];

/** The two ways of answering an error, each its plugin alone: the OTLP receiver, and API routes (the test's own) under the API's conventions. */
function app(producer: TransportProducer, routes: Array<(app: FastifyInstance) => void> = []): FastifyInstance {
  const metrics = new Metrics();
  const answerError = errorAnswerer({ logger: silentLogger, metrics });
  const a = Fastify({ logger: false, bodyLimit: 1024 * 1024 });
  a.register(authPlugin, { tokens: new TokenRegistry([]), ingestRequiresToken: false });
  a.register(otlpReceiverPlugin, { producer, metrics, maxDecodedBytes: DEFAULT_MAX_DECODED_BYTES, sessionIdOf, answerError, notFound });
  a.register(async (api) => {
    useApiConventions(api, answerError);
    for (const register of routes) register(api);
  });
  return a;
}

const accepting: TransportProducer = { send: async () => {}, close: async () => {} };

test('every code is answered with its one status, on an API route, raised as an error of any kind', async () => {
  const thrown = app(accepting, [
    (a) =>
      a.get<{ Params: { kind: string; code: string } }>('/api/v1/raise/:kind/:code', async (request) => {
        const { kind, code } = request.params;
        if (!isErrorCode(code)) throw new Error(`not a code: ${code}`);
        throw kind === 'api' ? new ApiError(code, 'for the client') : new WardenError(code, 'internal detail /some/path');
      }),
  ]);
  try {
    for (const code of CODES) {
      const { status } = ERROR_CODES[code];
      for (const kind of ['api', 'warden']) {
        const res = await thrown.inject({ method: 'GET', url: `/api/v1/raise/${kind}/${code}` });
        assert.equal(res.statusCode, status, `${kind} ${code}`);
        const body = res.json() as { error: { code: string; message: string } };
        assert.equal(body.error.code, code);
        if (kind === 'warden' && status >= 500) assert.doesNotMatch(body.error.message, /internal detail/, `${code}'s 5xx body keeps internals out`);
        assert.equal(res.headers['retry-after'] !== undefined, status === 429 || status === 503, `${code}: Retry-After exactly when retrying helps`);
      }
    }
  } finally {
    await thrown.close();
  }
});

test('a code is retryable exactly when its status says retry later (429, 503)', () => {
  for (const code of CODES) {
    const { status, retryable } = ERROR_CODES[code];
    assert.ok(status >= 400 && status <= 599, `${code}: ${status} is an error status`);
    assert.equal(retryable, status === 429 || status === 503, `${code} (${status}) retryable=${retryable}`);
    assert.equal(new WardenError(code, 'x').retryable, retryable);
  }
});

function kafkaError(type: string): Error {
  return Object.assign(new KafkaJSProtocolError(`broker says ${type}`), { type });
}

/** An OTLP request while the transport fails as kafkajs failed: status and the OTLP Status's message. */
async function otlpAnswerWhenKafkaFails(failure: unknown): Promise<{ status: number; body: string }> {
  const failing: TransportProducer = { send: async () => Promise.reject(toTransportError(failure, 'produce')), close: async () => {} };
  const a = app(failing);
  try {
    const now = (BigInt(Date.now()) * 1_000_000n).toString();
    const payload = encodeOtlp(
      'logs',
      [{ signal: 'logs', resource: { 'service.name': 'agent', 'session.id': 's-1' }, scope: { name: 't', version: '1' }, timeUnixNano: now, observedTimeUnixNano: now, severityNumber: 9, severityText: 'INFO', body: 'x', attributes: {}, traceId: '', spanId: '', eventName: 'e' }],
      'otlp_json',
    );
    const res = await a.inject({ method: 'POST', url: '/v1/logs', headers: { 'content-type': 'application/json' }, payload });
    return { status: res.statusCode, body: res.body };
  } finally {
    await a.close();
  }
}

test('a Kafka failure never reaches an OTLP client as 400', async () => {
  const tooLarge = await otlpAnswerWhenKafkaFails(kafkaError('MESSAGE_TOO_LARGE'));
  assert.equal(tooLarge.status, 413, 'a message larger than the broker takes: send smaller requests');
  const corrupt = await otlpAnswerWhenKafkaFails(kafkaError('CORRUPT_MESSAGE'));
  assert.equal(corrupt.status, 500, 'a record the broker finds corrupt is Warden\'s failure');
  assert.doesNotMatch(corrupt.body, /broker says/, 'and its details stay in the log');
  const down = await otlpAnswerWhenKafkaFails(new KafkaJSConnectionError('Connection error: connect ECONNREFUSED'));
  assert.equal(down.status, 503);
});

test('fastify\'s own errors map to codes of the list', () => {
  const bodyTooLarge = toHttpError(Object.assign(new Error('too large'), { code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 }));
  assert.deepEqual([bodyTooLarge.statusCode, bodyTooLarge.code], [413, 'BODY_TOO_LARGE']);
  const other4xx = toHttpError(Object.assign(new Error('odd'), { code: 'FST_ERR_SOMETHING', statusCode: 400 }));
  assert.deepEqual([other4xx.statusCode, other4xx.code], [400, 'BAD_REQUEST']);
  const unknown = toHttpError(new TypeError('x is undefined'));
  assert.deepEqual([unknown.statusCode, unknown.code, unknown.message], [500, 'INTERNAL', 'Internal Server Error']);
});

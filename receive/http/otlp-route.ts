/**
 * The OTLP/HTTP receiver: `POST /v1/traces` and `POST /v1/logs`, protobuf
 * (`application/x-protobuf`) or JSON (`application/json`), optionally gzip-compressed.
 *
 * The body is checked here so that bad input is refused at the door (400 with an OTLP Status;
 * 413 for a body that inflates past `maxDecodedBytes` — inflated off the event loop and stopped
 * as soon as it passes; 415 for an unsupported content type or encoding). What reaches the
 * transport (otlp-messages.ts): keyed by session for Kafka — a request holding one session is
 * forwarded as is, one mixing sessions split into one export request per session, so every
 * session stays on one partition, in order; for the in-process queue (`keyBySession: false`)
 * the body is scanned, not decoded, and forwarded as is — it is decoded once, where it is
 * normalized (the worker thread), never on this event loop, which runs detection and the gate.
 *
 * The receiver decides the tenant: the token's (admin or ingest alike), or the default tenant
 * for unauthenticated ingest (allowed on loopback); it travels as the `warden-tenant` header and
 * the normalizer takes it over anything a record says. A record is refused individually, counted
 * in `warden_errors_total{stage="http"}` by reason and reported through `partial_success` (with
 * a message saying why), and never sent on, when: a span lacks a valid trace or span id; its
 * resource claims (`warden.tenant`) another tenant; or normalization would refuse it
 * (`refusalOf`, e.g. a time storage cannot hold). So `received = sent + refused` for this stage.
 * The requests then go to the transport — Kafka in distributed mode, the in-process queue in
 * embedded mode — and the answer is 200 once the transport has accepted them; 429 (queue full)
 * or 503 (transport down) with `Retry-After` otherwise, never 500 for load.
 *
 * Registered as an encapsulated plugin (`otlpReceiverPlugin`, named `warden-otlp-receiver`,
 * after `warden-auth`) that owns the `/v1` prefix: there a body of any content type is taken as
 * raw bytes, every error (a refused token, a body over the limit, a bad request) is answered as
 * an OTLP `Status` in the request's encoding (JSON for `application/json`, else protobuf), and a
 * path no route serves goes to the not-found answer it is given.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { encodeExportResponse } from '../../decode/otlp/index.js';
import { inflateBody } from '../../decode/otlp/gunzip.js';
import { OtlpErrorCode } from '../../decode/otlp/otlp-errors.js';
import type { DecodedRecord } from '../../decode/otlp/records.js';
import { DEFAULT_TENANT } from '../../model/tenant.js';
import type { Encoding, Signal, TransportProducer } from '../transport/transport.js';
import { requestMessages } from './otlp-messages.js';
import { encodeStatus, grpcCodeFor } from './otlp-status.js';
import type { Metrics } from '../../lib/metrics.js';
import { ApiError, WardenError } from '../../lib/errors.js';

export interface OtlpRouteOptions {
  producer: TransportProducer;
  metrics: Metrics;
  /** Largest body after gunzip (or as sent, when not compressed). */
  maxDecodedBytes: number;
  /**
   * Whether messages are keyed by session (Kafka: each session on one partition, in order).
   * Default true. The in-process queue keeps one order for everything: there a request is only
   * scanned, not decoded (otlp-messages.ts), and sent on as is.
   */
  keyBySession?: boolean;
  /** The session of a record, for the key (the normalizer's mapping tables, passed in by the assembly). */
  sessionIdOf: (record: DecodedRecord) => string;
}

export interface OtlpReceiverOptions extends OtlpRouteOptions {
  /** Counts a failed request, sets its status (and Retry-After) and says what the client is told. */
  answerError: (err: unknown, request: FastifyRequest, reply: FastifyReply) => { statusCode: number; message: string };
  /** The answer for a path under `/v1` no route serves. */
  notFound: (request: FastifyRequest, reply: FastifyReply) => void;
}

const PROTOBUF = 'application/x-protobuf';
const JSON_TYPE = 'application/json';

export { INVALID_ID, TENANT_MISMATCH } from './otlp-messages.js';

function encodingOf(request: FastifyRequest): Encoding {
  const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === JSON_TYPE) return 'otlp_json';
  if (type === PROTOBUF || type === 'application/protobuf') return 'otlp_proto';
  throw new ApiError('OTLP_UNSUPPORTED_CONTENT_TYPE', `unsupported content type ${JSON.stringify(type)}; use ${PROTOBUF} or ${JSON_TYPE}`);
}

function isGzipped(request: FastifyRequest): boolean {
  const value = String(request.headers['content-encoding'] ?? '').trim().toLowerCase();
  if (value === 'gzip') return true;
  if (value === '' || value === 'identity') return false;
  throw new ApiError('OTLP_UNSUPPORTED_CONTENT_ENCODING', `unsupported content encoding ${JSON.stringify(value.slice(0, 40))}; use gzip or none`);
}

/** `3 record(s) rejected: 2 × invalid trace or span id (OTLP_INVALID_ID); 1 × … (INVALID_EVENT)`. */
function describe(refusals: Map<string, { message: string; count: number }>, total: number): string {
  const reasons = [...refusals.entries()].map(([code, { message, count }]) => `${count} × ${message} (${code})`);
  return `${total} record(s) rejected: ${reasons.join('; ')}`;
}

/** A body too large once inflated is 413, like one too large as sent. */
function tooLargeAs413(err: unknown): never {
  if (err instanceof WardenError && err.code === OtlpErrorCode.TOO_LARGE) throw new ApiError(err.code, err.message);
  throw err;
}

function registerOtlpRoutes(app: FastifyInstance, options: OtlpRouteOptions): void {
  const keyed = options.keyBySession ?? true;
  const sessionIdOf = options.sessionIdOf;
  const handle = (signal: Signal) => async (request: FastifyRequest, reply: FastifyReply) => {
    const encoding = encodingOf(request);
    const raw = request.body as Buffer;
    const body = isGzipped(request) ? await inflateBody(raw, options.maxDecodedBytes).catch(tooLargeAs413) : raw;
    const tenant = request.principal?.tenant ?? DEFAULT_TENANT;
    let result: ReturnType<typeof requestMessages>;
    try {
      result = requestMessages(body, { signal, encoding, tenant, maxDecodedBytes: options.maxDecodedBytes, ...(keyed ? { sessionIdOf } : {}) });
    } catch (err) {
      tooLargeAs413(err);
    }
    const { received, accepted, refusals, messages } = result;
    options.metrics.received.inc({ stage: 'http', signal }, received);
    const rejected = received - accepted;
    for (const [code, { count }] of refusals) options.metrics.errors.inc({ stage: 'http', code }, count);
    if (messages.length > 0) await options.producer.send(messages);
    options.metrics.sent.inc({ stage: 'http', signal }, accepted);

    const partial = rejected > 0 ? { rejected, errorMessage: describe(refusals, rejected) } : undefined;
    reply.code(200).header('content-type', encoding === 'otlp_json' ? JSON_TYPE : PROTOBUF);
    return encodeExportResponse(signal, encoding, partial);
  };

  app.post('/traces', { config: { role: 'ingest' } }, handle('traces'));
  app.post('/logs', { config: { role: 'ingest' } }, handle('logs'));
}

export const otlpReceiverPlugin = fp<OtlpReceiverOptions>(
  async (app, options) => {
    await app.register(
      async (v1) => {
        // The receiver decodes the bytes itself (requestMessages), whatever the content type says.
        v1.removeAllContentTypeParsers();
        v1.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
        v1.setErrorHandler((err, request, reply) => {
          const view = options.answerError(err, request, reply);
          const json = String(request.headers['content-type'] ?? '').startsWith(JSON_TYPE);
          reply.header('content-type', json ? JSON_TYPE : PROTOBUF);
          return reply.send(encodeStatus(grpcCodeFor(view.statusCode), view.message, json));
        });
        v1.setNotFoundHandler(options.notFound);
        registerOtlpRoutes(v1, options);
      },
      { prefix: '/v1' },
    );
  },
  { name: 'warden-otlp-receiver', fastify: '5.x', encapsulate: true, dependencies: ['warden-auth'] },
);

/**
 * The HTTP surface as one fastify app: OTLP/HTTP receiver, health and metrics, operator API.
 * Every collaborator is passed in; listening and graceful close live in main.ts. Bodies of OTLP
 * routes are taken as raw buffers (protobuf or JSON, decoded by the receiver itself) under one
 * body limit, and inflated under their own (`maxDecodedBytes`). A client has `requestTimeoutMs`
 * to send a whole request, headers and body: a trickled body is cut off with 408 and its
 * connection closed (checked at least every second), so slow senders cannot hold connections.
 * One error handler: API routes answer `{error: {code, message}}`, OTLP routes an OTLP Status;
 * 5xx bodies say nothing more than "Internal Server Error".
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { TokenRegistry } from '../../config/tokens.js';
import { DEFAULT_MAX_DECODED_BYTES, DEFAULT_REQUEST_TIMEOUT_MS } from '../../config/config.js';
import type { TransportProducer } from '../../receive/transport/transport.js';
import type { Logger } from '../../lib/logger.js';
import type { Metrics } from '../../lib/metrics.js';
import { registerAuth } from './plugins/auth.js';
import { registerOtlpRoutes, type OtlpRouteOptions } from '../../receive/http/otlp-route.js';
import { sessionIdOf } from '../../normalize/index.js';
import { registerHealthRoutes, type ReadinessCheck } from './routes/health.js';
import { ApiError } from '../../lib/errors.js';
import { toHttpError } from './errors.js';
import { encodeStatus, grpcCodeFor } from '../../receive/http/otlp-status.js';

export interface AppDeps {
  producer: TransportProducer;
  tokens: TokenRegistry;
  metrics: Metrics;
  logger: Logger;
  bodyLimitBytes: number;
  /** Largest OTLP body once inflated (default DEFAULT_MAX_DECODED_BYTES). */
  maxDecodedBytes?: number;
  /** How the OTLP receiver keys messages (otlp-route.ts; default: by session, built-in tables). */
  otlp?: Partial<Pick<OtlpRouteOptions, 'keyBySession' | 'sessionIdOf'>>;
  /** Time to send a whole request (default DEFAULT_REQUEST_TIMEOUT_MS). */
  requestTimeoutMs?: number;
  ingestRequiresToken: boolean;
  readiness: Record<string, ReadinessCheck>;
  /** Extra route registrations (operator API, hook verdicts) added by later stages. */
  routes?: Array<(app: FastifyInstance) => void>;
}

/** JSON when it parses, else the text itself (the route says what is wrong with it). */
function parseOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function buildApp(deps: AppDeps): FastifyInstance {
  const requestTimeout = deps.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const app = Fastify({
    logger: false,
    bodyLimit: deps.bodyLimitBytes,
    return503OnClosing: true,
    requestTimeout,
    // Node checks request timeouts on this interval (its default, 30 s, would let a trickled
    // body live up to twice the timeout); the headers' own timeout may not exceed the request's.
    http: { connectionsCheckingInterval: Math.min(1_000, Math.max(50, Math.floor(requestTimeout / 4))), headersTimeout: requestTimeout },
  });

  // OTLP bodies stay raw bytes (the receiver decodes them); operator API bodies are JSON.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (request, body, done) => {
    if (request.url.startsWith('/v1/')) return done(null, body);
    const text = (body as Buffer).toString('utf8');
    // Hook payloads are read by their route, which answers an unreadable one in the agent's format.
    if (request.url.startsWith('/api/v1/hooks/')) return done(null, parseOrText(text));
    if (text.trim() === '') return done(null, {});
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new ApiError('INVALID_JSON', 'request body is not valid JSON'));
    }
  });

  app.setErrorHandler((err, request, reply) => {
    const view = toHttpError(err);
    if (view.statusCode >= 500) deps.logger.error({ err, url: request.url }, 'request failed');
    deps.metrics.errors.inc({ stage: 'http', code: view.code });
    if (view.retryAfterSeconds !== undefined) reply.header('retry-after', String(view.retryAfterSeconds));
    reply.code(view.statusCode);
    if (request.url.startsWith('/v1/')) {
      const json = String(request.headers['content-type'] ?? '').startsWith('application/json');
      reply.header('content-type', json ? 'application/json' : 'application/x-protobuf');
      return reply.send(encodeStatus(grpcCodeFor(view.statusCode), view.message, json));
    }
    return reply.send({ error: { code: view.code, message: view.message } });
  });
  app.setNotFoundHandler((_request, reply) => {
    reply.code(404).send({ error: { code: 'NOT_FOUND', message: 'no such route' } });
  });

  registerAuth(app, { tokens: deps.tokens, ingestRequiresToken: deps.ingestRequiresToken });
  registerHealthRoutes(app, { metrics: deps.metrics, checks: deps.readiness });
  registerOtlpRoutes(app, {
    producer: deps.producer,
    metrics: deps.metrics,
    maxDecodedBytes: deps.maxDecodedBytes ?? DEFAULT_MAX_DECODED_BYTES,
    ...deps.otlp,
    sessionIdOf: deps.otlp?.sessionIdOf ?? sessionIdOf,
  });
  for (const register of deps.routes ?? []) register(app);
  return app;
}

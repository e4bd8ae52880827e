/**
 * The HTTP surface as one fastify app of named plugins, each owning how its routes read bodies
 * and answer errors: `warden-auth` (bearer tokens, for every area) and `warden-tenant-scope`
 * (cross-tenant reads) reach the whole app; `warden-health` (liveness, readiness, metrics),
 * `warden-otlp-receiver` (OTLP/HTTP under `/v1`: raw bytes, errors as an OTLP Status),
 * `warden-hooks` (agents' hook payloads: JSON or the text itself), `warden-gate` and
 * `warden-operator-api` (JSON bodies, errors as `{error: {code, message}}`) are encapsulated.
 * What no plugin serves (an unknown path) is answered as the API answers: JSON bodies, 404
 * `NOT_FOUND`. Every collaborator is passed in; listening and graceful close live in main.ts.
 * One body limit for every request; OTLP bodies are inflated under their own
 * (`maxDecodedBytes`). A client has `requestTimeoutMs` to send a whole request, headers and
 * body: a trickled body is cut off with 408 and its connection closed (checked at least every
 * second), so slow senders cannot hold connections. 5xx bodies say nothing more than
 * "Internal Server Error".
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { TokenRegistry } from '../../config/tokens.js';
import { DEFAULT_MAX_DECODED_BYTES, DEFAULT_REQUEST_TIMEOUT_MS } from '../../config/config.js';
import type { TransportProducer } from '../../receive/transport/transport.js';
import type { Logger } from '../../lib/logger.js';
import type { Metrics } from '../../lib/metrics.js';
import { otlpReceiverPlugin, type OtlpRouteOptions } from '../../receive/http/otlp-route.js';
import { sessionIdOf } from '../../normalize/index.js';
import type { ReadinessCheck } from './routes/health.js';
import type { HookRouteOptions } from './routes/hooks.js';
import type { GateRouteOptions } from './routes/gate.js';
import type { OperatorRouteOptions } from './routes/operator.js';
import type { QueryRouteOptions } from './routes/query.js';
import { authPlugin } from './plugins/auth.js';
import { tenantScopePlugin } from './plugins/tenant-scope.js';
import { healthPlugin } from './plugins/health.js';
import { hooksPlugin } from './plugins/hooks.js';
import { gatePlugin } from './plugins/gate.js';
import { operatorApiPlugin } from './plugins/operator-api.js';
import { errorAnswerer, notFound, useApiConventions } from './plugins/api-conventions.js';

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
  /** The agents' hooks, the gate, the operator API and its query: the later stages' collaborators. */
  hooks: HookRouteOptions;
  gate: GateRouteOptions;
  operator: OperatorRouteOptions;
  query: QueryRouteOptions;
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

  const answerError = errorAnswerer({ logger: deps.logger, metrics: deps.metrics });
  // What no plugin serves: read and answered as the API reads and answers.
  useApiConventions(app, answerError);
  app.setNotFoundHandler(notFound);

  const { metrics, logger } = deps;
  app.register(authPlugin, { tokens: deps.tokens, ingestRequiresToken: deps.ingestRequiresToken });
  app.register(tenantScopePlugin, { logger, metrics });
  app.register(healthPlugin, { metrics, checks: deps.readiness });
  app.register(otlpReceiverPlugin, {
    producer: deps.producer,
    metrics,
    maxDecodedBytes: deps.maxDecodedBytes ?? DEFAULT_MAX_DECODED_BYTES,
    ...deps.otlp,
    sessionIdOf: deps.otlp?.sessionIdOf ?? sessionIdOf,
    answerError,
    notFound,
  });
  app.register(hooksPlugin, { hooks: deps.hooks, answerError });
  app.register(gatePlugin, { gate: deps.gate, answerError });
  app.register(operatorApiPlugin, { operator: deps.operator, query: deps.query, answerError });
  return app;
}

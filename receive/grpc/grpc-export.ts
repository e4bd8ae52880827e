/**
 * One OTLP/gRPC `Export` call: the request's bytes (already inflated by the gRPC library when
 * sent with `grpc-encoding: gzip`) → authenticated, checked, handed to the transport, answered.
 *
 * Shared with OTLP/HTTP so that everything downstream is the same: the token rules (a bearer
 * token in the `authorization` metadata with the `ingest` or `admin` role; none needed when
 * `ingestRequiresToken` is off, then the default tenant), the tenant taken from the token, the
 * request check and the records refused one by one (`requestMessages`, the HTTP receiver's:
 * scanned, not decoded, for the in-process queue; decoded and keyed by session for Kafka), the
 * transport messages (encoding `otlp_proto`, the `warden-tenant` header) and the counters
 * (`warden_events_received_total`, `…_sent_total`, `warden_errors_total` with stage `grpc`).
 * Refused records are reported through `partial_success`; a request that cannot be read, is too
 * large, or meets a full or failed transport is answered with a gRPC status (grpc-status.ts).
 *
 * Metrics (`MetricsService/Export`) are accepted and counted per request (signal `metrics`),
 * never decoded nor stored: no panel reads them.
 */
import type { Metadata } from '@grpc/grpc-js';
import type { Principal, TokenRegistry } from '../../config/tokens.js';
import { ApiError } from '../../lib/errors.js';
import type { Metrics } from '../../lib/metrics.js';
import { requestMessages, type MessageOptions } from '../http/otlp-messages.js';
import type { Signal, TransportProducer } from '../transport/transport.js';
import { encodeExportResponse } from './grpc-status.js';

export type GrpcSignal = Signal | 'metrics';

export const STAGE = 'grpc';

export interface GrpcExportOptions {
  producer: TransportProducer;
  metrics: Metrics;
  tokens: TokenRegistry;
  /** Whether ingest needs a bearer token (else unauthenticated ingest lands in `defaultTenant`). */
  ingestRequiresToken: boolean;
  defaultTenant: string;
  /** Largest request once inflated (WARDEN_MAX_DECODED_BYTES), as OTLP/HTTP. */
  maxDecodedBytes: number;
  /** The session of a record, when messages are keyed by session (Kafka); absent: not keyed. */
  sessionIdOf?: MessageOptions['sessionIdOf'];
}

function bearer(metadata: Metadata): string | null {
  const value = metadata.get('authorization')[0];
  if (typeof value !== 'string') return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(value);
  return match ? match[1]! : null;
}

/** The caller, or null for unauthenticated ingest where it is allowed; throws 401/403 otherwise. */
export function authenticate(metadata: Metadata, tokens: TokenRegistry, ingestRequiresToken: boolean): Principal | null {
  const token = bearer(metadata);
  if (token === null) {
    if (!ingestRequiresToken) return null;
    throw new ApiError('UNAUTHENTICATED', 'missing bearer token (authorization metadata)');
  }
  const principal = tokens.lookup(token);
  if (principal === undefined) throw new ApiError('UNAUTHENTICATED', 'unknown token');
  if (!principal.roles.has('ingest') && !principal.roles.has('admin')) throw new ApiError('FORBIDDEN', 'this token lacks the "ingest" role');
  return principal;
}

/** `3 record(s) rejected: 2 × invalid trace or span id (OTLP_INVALID_ID); …`, as OTLP/HTTP says it. */
function describe(refusals: Map<string, { message: string; count: number }>, total: number): string {
  const reasons = [...refusals.entries()].map(([code, { message, count }]) => `${count} × ${message} (${code})`);
  return `${total} record(s) rejected: ${reasons.join('; ')}`;
}

/** Handles one call; resolves with the response bytes, or throws a Warden error for the status. */
export async function exportRequest(signal: GrpcSignal, body: Buffer, metadata: Metadata, options: GrpcExportOptions): Promise<Buffer> {
  const principal = authenticate(metadata, options.tokens, options.ingestRequiresToken);
  if (body.length > options.maxDecodedBytes) {
    throw new ApiError('OTLP_TOO_LARGE', `message of ${body.length} bytes once inflated exceeds the limit of ${options.maxDecodedBytes}`);
  }
  if (signal === 'metrics') {
    options.metrics.received.inc({ stage: STAGE, signal });
    return encodeExportResponse();
  }
  const tenant = principal?.tenant ?? options.defaultTenant;
  const { received, accepted, refusals, messages } = requestMessages(body, {
    signal,
    encoding: 'otlp_proto',
    tenant,
    maxDecodedBytes: options.maxDecodedBytes,
    ...(options.sessionIdOf ? { sessionIdOf: options.sessionIdOf } : {}),
  });
  options.metrics.received.inc({ stage: STAGE, signal }, received);
  for (const [code, { count }] of refusals) options.metrics.errors.inc({ stage: STAGE, code }, count);
  if (messages.length > 0) await options.producer.send(messages);
  options.metrics.sent.inc({ stage: STAGE, signal }, accepted);
  const rejected = received - accepted;
  return encodeExportResponse(rejected > 0 ? { rejected, errorMessage: describe(refusals, rejected) } : undefined);
}

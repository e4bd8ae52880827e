/**
 * The OTLP/HTTP receiver: `POST /v1/traces` and `POST /v1/logs`, protobuf
 * (`application/x-protobuf`) or JSON (`application/json`), optionally gzip-compressed.
 *
 * The body is decoded here so that bad input is refused at the door (400 with an OTLP Status)
 * and so each request can be keyed by session: a request holding one session is forwarded as
 * is; one mixing sessions is split into one export request per session, so every session stays
 * on one partition, in order. Spans without a valid trace or span id are rejected individually
 * and reported through `partial_success`, as are records that claim (`warden.tenant`) a tenant
 * other than the one their non-admin ingest token is bound to. The requests then go to the transport — Kafka in
 * distributed mode, the in-process queue in embedded mode — and the answer is 200 once the
 * transport has accepted them; 429 (queue full) or 503 (transport down) with `Retry-After`
 * otherwise, never 500 for load.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { decodeOtlp, encodeExportResponse, encodeOtlp, gunzipBody } from '../../ingest/otlp/index.js';
import type { DecodedRecord } from '../../ingest/otlp/records.js';
import { sessionIdOf } from '../../ingest/normalize/index.js';
import type { Encoding, Signal, TransportMessage, TransportProducer } from '../../ingest/transport/transport.js';
import type { Metrics } from '../../lib/metrics.js';
import { ApiError } from '../errors.js';

export interface OtlpRouteOptions {
  producer: TransportProducer;
  metrics: Metrics;
  /** Largest body after gunzip. */
  maxDecodedBytes: number;
}

const PROTOBUF = 'application/x-protobuf';
const JSON_TYPE = 'application/json';

function encodingOf(request: FastifyRequest): Encoding {
  const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === JSON_TYPE) return 'otlp_json';
  if (type === PROTOBUF || type === 'application/protobuf') return 'otlp_proto';
  throw new ApiError(415, 'OTLP_UNSUPPORTED_CONTENT_TYPE', `unsupported content type ${JSON.stringify(type)}; use ${PROTOBUF} or ${JSON_TYPE}`);
}

function hasValidIds(record: DecodedRecord): boolean {
  if (record.signal !== 'traces') return true;
  return /^[0-9a-f]{32}$/.test(record.traceId) && /^[0-9a-f]{16}$/.test(record.spanId) && !/^0+$/.test(record.traceId) && !/^0+$/.test(record.spanId);
}

/** A record may name its tenant only when it is the one the token is bound to. */
function claimsTenant(record: DecodedRecord, boundTenant: string | undefined): boolean {
  if (boundTenant === undefined) return true;
  const claimed = record.resource['warden.tenant'];
  return claimed === undefined || claimed === boundTenant;
}

function groupBySession(records: DecodedRecord[]): Map<string, DecodedRecord[]> {
  const groups = new Map<string, DecodedRecord[]>();
  for (const record of records) {
    const key = sessionIdOf(record);
    const group = groups.get(key);
    if (group) group.push(record);
    else groups.set(key, [record]);
  }
  return groups;
}

export function registerOtlpRoutes(app: FastifyInstance, options: OtlpRouteOptions): void {
  const handle = (signal: Signal) => async (request: FastifyRequest, reply: FastifyReply) => {
    const encoding = encodingOf(request);
    const raw = request.body as Buffer;
    const gzipped = String(request.headers['content-encoding'] ?? '').toLowerCase() === 'gzip';
    const body = gzipped ? gunzipBody(raw, options.maxDecodedBytes) : raw;
    const records = decodeOtlp(signal, body, encoding, { maxBytes: options.maxDecodedBytes });
    options.metrics.received.inc({ stage: 'http', signal }, records.length);

    const principal = request.principal;
    const boundTenant = principal && !principal.roles.has('admin') ? principal.tenant : undefined;
    const accepted = records.filter((r) => hasValidIds(r) && claimsTenant(r, boundTenant));
    const rejected = records.length - accepted.length;
    const groups = groupBySession(accepted);
    const tenant = principal?.tenant;
    const headers: Record<string, string> = tenant ? { 'warden-tenant': tenant } : {};
    const messages: TransportMessage[] = [];
    if (groups.size === 1 && rejected === 0) {
      const [key] = groups.keys();
      messages.push({ signal, encoding, key: key || null, value: body, headers });
    } else {
      for (const [key, group] of groups) {
        messages.push({ signal, encoding, key: key || null, value: encodeOtlp(signal, group, encoding), headers });
      }
    }
    if (messages.length > 0) await options.producer.send(messages);
    options.metrics.sent.inc({ stage: 'http', signal }, accepted.length);

    const partial = rejected > 0 ? { rejected, errorMessage: `${rejected} record(s) rejected: invalid trace/span id, or a warden.tenant other than the token's` } : undefined;
    reply.code(200).header('content-type', encoding === 'otlp_json' ? JSON_TYPE : PROTOBUF);
    return encodeExportResponse(signal, encoding, partial);
  };

  app.post('/v1/traces', { config: { role: 'ingest' } }, handle('traces'));
  app.post('/v1/logs', { config: { role: 'ingest' } }, handle('logs'));
}

/**
 * The OTLP/HTTP receiver: `POST /v1/traces` and `POST /v1/logs`, protobuf
 * (`application/x-protobuf`) or JSON (`application/json`), optionally gzip-compressed.
 *
 * The body is decoded here so that bad input is refused at the door (400 with an OTLP Status;
 * 413 for a body that inflates past `maxDecodedBytes` — inflated off the event loop and stopped
 * as soon as it passes; 415 for an unsupported content type or encoding) and so each request can
 * be keyed by session: a request holding one session is forwarded as is; one mixing sessions is
 * split into one export request per session, so every session stays on one partition, in order.
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
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { decodeOtlp, encodeExportResponse, encodeOtlp } from '../../decode/otlp/index.js';
import { inflateBody } from '../../decode/otlp/gunzip.js';
import { OtlpErrorCode } from '../../decode/otlp/otlp-errors.js';
import type { DecodedRecord } from '../../decode/otlp/records.js';
import { DEFAULT_TENANT, sessionIdOf, TENANT_ATTRIBUTE } from '../../normalize/index.js';
import { refusalOf } from '../../normalize/refusal.js';
import { asString } from '../../normalize/values.js';
import type { Encoding, Signal, TransportMessage, TransportProducer } from '../transport/transport.js';
import type { Metrics } from '../../lib/metrics.js';
import { ApiError, WardenError } from '../../lib/errors.js';

export interface OtlpRouteOptions {
  producer: TransportProducer;
  metrics: Metrics;
  /** Largest body after gunzip (or as sent, when not compressed). */
  maxDecodedBytes: number;
}

const PROTOBUF = 'application/x-protobuf';
const JSON_TYPE = 'application/json';

/** Codes of records refused by the receiver itself (normalization's come from `refusalOf`). */
export const INVALID_ID = 'OTLP_INVALID_ID';
export const TENANT_MISMATCH = 'TENANT_MISMATCH';

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

function hasValidIds(record: DecodedRecord): boolean {
  if (record.signal !== 'traces') return true;
  return /^[0-9a-f]{32}$/.test(record.traceId) && /^[0-9a-f]{16}$/.test(record.spanId) && !/^0+$/.test(record.traceId) && !/^0+$/.test(record.spanId);
}

interface Refused {
  code: string;
  message: string;
}

/** Why the receiver refuses this record, or undefined when it is sent on. */
function refusal(record: DecodedRecord, tenant: string): Refused | undefined {
  if (!hasValidIds(record)) return { code: INVALID_ID, message: 'invalid trace or span id' };
  const claimed = asString(record.resource[TENANT_ATTRIBUTE]);
  if (claimed !== '' && claimed !== tenant) return { code: TENANT_MISMATCH, message: `${TENANT_ATTRIBUTE} other than this request's tenant "${tenant}"` };
  const refused = refusalOf(record);
  return refused ? { code: refused.code, message: refused.message } : undefined;
}

/** `3 record(s) rejected: 2 × invalid trace or span id (OTLP_INVALID_ID); 1 × … (INVALID_EVENT)`. */
function describe(refusals: Map<string, { message: string; count: number }>, total: number): string {
  const reasons = [...refusals.entries()].map(([code, { message, count }]) => `${count} × ${message} (${code})`);
  return `${total} record(s) rejected: ${reasons.join('; ')}`;
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

/** A body too large once inflated is 413, like one too large as sent. */
function tooLargeAs413(err: unknown): never {
  if (err instanceof WardenError && err.code === OtlpErrorCode.TOO_LARGE) throw new ApiError(err.code, err.message);
  throw err;
}

export function registerOtlpRoutes(app: FastifyInstance, options: OtlpRouteOptions): void {
  const handle = (signal: Signal) => async (request: FastifyRequest, reply: FastifyReply) => {
    const encoding = encodingOf(request);
    const raw = request.body as Buffer;
    const body = isGzipped(request) ? await inflateBody(raw, options.maxDecodedBytes).catch(tooLargeAs413) : raw;
    let records: DecodedRecord[];
    try {
      records = decodeOtlp(signal, body, encoding, { maxBytes: options.maxDecodedBytes });
    } catch (err) {
      tooLargeAs413(err);
    }
    options.metrics.received.inc({ stage: 'http', signal }, records.length);

    const tenant = request.principal?.tenant ?? DEFAULT_TENANT;
    const accepted: DecodedRecord[] = [];
    const refusals = new Map<string, { message: string; count: number }>();
    for (const record of records) {
      const refused = refusal(record, tenant);
      if (!refused) {
        accepted.push(record);
        continue;
      }
      const seen = refusals.get(refused.code);
      if (seen) seen.count++;
      else refusals.set(refused.code, { message: refused.message, count: 1 });
    }
    const rejected = records.length - accepted.length;
    for (const [code, { count }] of refusals) options.metrics.errors.inc({ stage: 'http', code }, count);

    const groups = groupBySession(accepted);
    const headers: Record<string, string> = { 'warden-tenant': tenant };
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

    const partial = rejected > 0 ? { rejected, errorMessage: describe(refusals, rejected) } : undefined;
    reply.code(200).header('content-type', encoding === 'otlp_json' ? JSON_TYPE : PROTOBUF);
    return encodeExportResponse(signal, encoding, partial);
  };

  app.post('/v1/traces', { config: { role: 'ingest' } }, handle('traces'));
  app.post('/v1/logs', { config: { role: 'ingest' } }, handle('logs'));
}

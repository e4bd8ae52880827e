/**
 * One OTLP/HTTP request body → what the receiver answers and what it sends on: the records
 * refused (by reason) and the transport messages for the rest.
 *
 * A record is refused when: a span lacks a valid trace or span id; its resource claims
 * (`warden.tenant`) another tenant than the request's; or normalization would refuse it
 * (`refusalOf`, e.g. a time storage cannot hold). Refused records are never sent on.
 *
 * Two ways, by what the transport needs:
 *  - keyed by session (Kafka: a session stays on one partition, in order): the body is decoded
 *    here to read each record's session; one session → the body as is, several → one export
 *    request per session.
 *  - not keyed (the in-process queue: one order for everything): the body is only scanned
 *    (`scanOtlp`: every byte checked as the decoder checks it, thin records with ids, times and
 *    resource, nothing of the payload copied out) and sent on as is, unkeyed; it is decoded
 *    once, where it is normalized (the worker). Only when some of its records are refused is it
 *    decoded here, to send the others.
 */
import { decodeOtlp, encodeOtlp, scanOtlp } from '../../decode/otlp/index.js';
import type { DecodedRecord } from '../../decode/otlp/records.js';
import { eventTimes, refusalOf } from '../../decode/otlp/refusal.js';
import { systemClock } from '../../lib/clock.js';
import { TENANT_ATTRIBUTE } from '../../model/tenant.js';
import { asString } from '../../decode/otlp/values.js';
import type { Encoding, Signal, TransportMessage } from '../transport/transport.js';

/** Codes of records refused by the receiver itself (normalization's come from `refusalOf`). */
export const INVALID_ID = 'OTLP_INVALID_ID';
export const TENANT_MISMATCH = 'TENANT_MISMATCH';

export interface RequestMessages {
  /** Records in the request. */
  received: number;
  /** Records sent on. */
  accepted: number;
  /** Refused records by code. */
  refusals: Map<string, { message: string; count: number }>;
  messages: TransportMessage[];
}

export interface MessageOptions {
  signal: Signal;
  encoding: Encoding;
  tenant: string;
  maxDecodedBytes: number;
  /** The session of a record, when messages are keyed by session; absent: not keyed. */
  sessionIdOf?: (record: DecodedRecord) => string;
}

/** A lowercase hex id of `length` characters, not all zeros. */
function isHexId(id: string, length: number): boolean {
  if (id.length !== length) return false;
  let nonZero = false;
  for (let i = 0; i < length; i++) {
    const c = id.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
    if (c !== 48) nonZero = true;
  }
  return nonZero;
}

/** Why the receiver refuses this record, or undefined when it is sent on; `now` for records without an observed time. */
function refusal(record: DecodedRecord, tenant: string, now: () => string): { code: string; message: string } | undefined {
  if (record.signal === 'traces' && !(isHexId(record.traceId, 32) && isHexId(record.spanId, 16))) return { code: INVALID_ID, message: 'invalid trace or span id' };
  const claimed = asString(record.resource[TENANT_ATTRIBUTE]);
  if (claimed !== '' && claimed !== tenant) return { code: TENANT_MISMATCH, message: `${TENANT_ATTRIBUTE} other than this request's tenant "${tenant}"` };
  const refused = refusalOf(record, eventTimes(record, now));
  return refused ? { code: refused.code, message: refused.message } : undefined;
}

/** Indexes of the records refused, with the count per code. */
function judge(records: readonly DecodedRecord[], tenant: string): { refused: Set<number>; refusals: RequestMessages['refusals'] } {
  const refused = new Set<number>();
  const refusals = new Map<string, { message: string; count: number }>();
  // Read once per request: a span's observed time is "now", and reading the clock per record cost more than the rest.
  let nowText: string | undefined;
  const now = (): string => (nowText ??= systemClock.nowNs().toString());
  for (let i = 0; i < records.length; i++) {
    const why = refusal(records[i]!, tenant, now);
    if (!why) continue;
    refused.add(i);
    const seen = refusals.get(why.code);
    if (seen) seen.count++;
    else refusals.set(why.code, { message: why.message, count: 1 });
  }
  return { refused, refusals };
}

/** Throws the decoder's PermanentError (OTLP_* code) when the body is not a valid request. */
export function requestMessages(body: Buffer, options: MessageOptions): RequestMessages {
  const { signal, encoding, tenant, sessionIdOf } = options;
  const limits = { maxBytes: options.maxDecodedBytes };
  const headers: Record<string, string> = { 'warden-tenant': tenant };
  const asIs = (key: string | null): TransportMessage => ({ signal, encoding, key, value: body, headers });

  if (!sessionIdOf) {
    const thin = scanOtlp(signal, body, encoding, limits);
    const { refused, refusals } = judge(thin, tenant);
    const accepted = thin.length - refused.size;
    if (refused.size === 0) return { received: thin.length, accepted, refusals, messages: thin.length > 0 ? [asIs(null)] : [] };
    const kept = decodeOtlp(signal, body, encoding, limits).filter((_, i) => !refused.has(i));
    const messages = kept.length > 0 ? [{ signal, encoding, key: null, value: encodeOtlp(signal, kept, encoding), headers }] : [];
    return { received: thin.length, accepted, refusals, messages };
  }

  const records = decodeOtlp(signal, body, encoding, limits);
  const { refused, refusals } = judge(records, tenant);
  const groups = new Map<string, DecodedRecord[]>();
  records.forEach((record, i) => {
    if (refused.has(i)) return;
    const key = sessionIdOf(record);
    const group = groups.get(key);
    if (group) group.push(record);
    else groups.set(key, [record]);
  });
  const received = records.length;
  const accepted = received - refused.size;
  if (groups.size === 1 && refused.size === 0) {
    const [key] = groups.keys();
    return { received, accepted, refusals, messages: [asIs(key || null)] };
  }
  const messages = [...groups].map(([key, group]) => ({ signal, encoding, key: key || null, value: encodeOtlp(signal, group, encoding), headers }));
  return { received, accepted, refusals, messages };
}

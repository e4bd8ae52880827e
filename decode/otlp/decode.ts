/**
 * decodeOtlp: one OTLP export request (ExportTraceServiceRequest or ExportLogsServiceRequest,
 * protobuf or OTLP/JSON, already gunzipped) → flat records (records.ts). Records of one resource
 * share the same `resource` object (and of one scope, the same `scope` object): treat them as
 * read-only. Every failure is a PermanentError with an OTLP_* code (otlp-errors.ts); nothing else
 * escapes, so a bad message can be counted and dead-lettered instead of crashing a consumer.
 */
import { PermanentError } from '../../lib/errors.js';
import type { Encoding } from '../../model/encoding.js';
import type { Signal } from '../../model/message.js';
import type { DecodedRecord } from './records.js';
import { type DecodeLimits, DEFAULT_DECODE_LIMITS, resolveDecodeLimits } from './limits.js';
import { DecodeContext } from './decode-context.js';
import { OtlpErrorCode, otlpError } from './otlp-errors.js';
import { WireReader } from './wire-reader.js';
import { decodeTracesProto } from './decode-proto-traces.js';
import { decodeLogsProto } from './decode-proto-logs.js';
import { scanLogsProto, scanTracesProto } from './scan-proto.js';
import { decodeLogsJson, decodeTracesJson, parseJsonBody } from './decode-json.js';

export function decodeOtlp(
  signal: Signal,
  body: Uint8Array,
  encoding: Encoding,
  limits?: Partial<DecodeLimits>,
): DecodedRecord[] {
  return read(signal, body, encoding, limits, false);
}

/**
 * The same checks as decodeOtlp, for the same bytes the same errors, but protobuf records come
 * back thin (scan-proto.ts: ids, times and resource only; names, attributes, bodies and events
 * walked, not built). What a receiver needs to answer, without building records to throw away.
 * JSON is parsed whole either way (parsing is its check), so its records are full.
 */
export function scanOtlp(signal: Signal, body: Uint8Array, encoding: Encoding, limits?: Partial<DecodeLimits>): DecodedRecord[] {
  return read(signal, body, encoding, limits, true);
}

function read(signal: Signal, body: Uint8Array, encoding: Encoding, limits: Partial<DecodeLimits> | undefined, thin: boolean): DecodedRecord[] {
  const resolved = limits === undefined ? DEFAULT_DECODE_LIMITS : resolveDecodeLimits(limits);
  if (signal !== 'traces' && signal !== 'logs') {
    throw otlpError(OtlpErrorCode.UNSUPPORTED_SIGNAL, `unsupported signal ${String(signal)}`);
  }
  if (encoding !== 'otlp_proto' && encoding !== 'otlp_json') {
    throw otlpError(OtlpErrorCode.UNSUPPORTED_ENCODING, `unsupported encoding ${String(encoding)}`);
  }
  if (body.byteLength > resolved.maxBytes) {
    throw otlpError(OtlpErrorCode.TOO_LARGE, `body of ${body.byteLength} bytes exceeds ${resolved.maxBytes}`, {
      bytes: body.byteLength,
      maxBytes: resolved.maxBytes,
    });
  }
  const buf = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const ctx = new DecodeContext(resolved);
  const failCode = encoding === 'otlp_proto' ? OtlpErrorCode.DECODE_PROTO : OtlpErrorCode.DECODE_JSON;
  try {
    if (encoding === 'otlp_proto') {
      const reader = new WireReader(buf);
      if (thin) return signal === 'traces' ? scanTracesProto(reader, ctx) : scanLogsProto(reader, ctx);
      return signal === 'traces' ? decodeTracesProto(reader, ctx) : decodeLogsProto(reader, ctx);
    }
    const root = parseJsonBody(buf);
    return signal === 'traces' ? decodeTracesJson(root, ctx) : decodeLogsJson(root, ctx);
  } catch (err) {
    if (err instanceof PermanentError) throw err;
    if (err instanceof RangeError && /call stack/i.test(err.message)) {
      // Only reachable when maxDepth is raised far beyond the default: the nesting outgrew the stack.
      throw otlpError(OtlpErrorCode.TOO_DEEP, 'value nested too deeply to decode', {}, err);
    }
    throw otlpError(failCode, `cannot decode ${signal} request: ${(err as Error)?.message ?? String(err)}`, {}, err);
  }
}

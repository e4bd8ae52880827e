/**
 * The error codes the OTLP decoder and encoder raise. Every failure caused by the bytes a client
 * sent is a PermanentError (retrying the same bytes cannot help; the receiver answers with the
 * code's one status from lib/error-codes.ts — 400, or 413 for a body too large — and the Kafka
 * consumer dead-letters the message) carrying exactly one of these stable codes.
 */
import { PermanentError } from '../../lib/errors.js';

export const OtlpErrorCode = {
  /** Protobuf body is not a valid export request (truncated, bad wire type, bad length, ...). */
  DECODE_PROTO: 'OTLP_DECODE_PROTO',
  /** JSON body is not valid JSON or not shaped like an OTLP/JSON export request. */
  DECODE_JSON: 'OTLP_DECODE_JSON',
  /** Body (or its gunzipped form) is larger than `maxBytes`. */
  TOO_LARGE: 'OTLP_TOO_LARGE',
  /** An AnyValue nests arrays/kvlists deeper than `maxDepth`. */
  TOO_DEEP: 'OTLP_TOO_DEEP',
  /** The request holds more spans or log records than `maxRecords`. */
  TOO_MANY_RECORDS: 'OTLP_TOO_MANY_RECORDS',
  /** One attribute list (or kvlist value) holds more entries than `maxAttributes`. */
  TOO_MANY_ATTRIBUTES: 'OTLP_TOO_MANY_ATTRIBUTES',
  /** Body claims gzip but is not a valid gzip stream. */
  GZIP: 'OTLP_GZIP',
  /** Encoding is neither `otlp_proto` nor `otlp_json`. */
  UNSUPPORTED_ENCODING: 'OTLP_UNSUPPORTED_ENCODING',
  /** Signal is neither `traces` nor `logs`. */
  UNSUPPORTED_SIGNAL: 'OTLP_UNSUPPORTED_SIGNAL',
  /** Decode limits passed by configuration are not positive integers. */
  INVALID_LIMITS: 'OTLP_INVALID_LIMITS',
  /** A record handed to the encoder cannot be written (e.g. an id that is not hex). */
  ENCODE: 'OTLP_ENCODE',
} as const;

export type OtlpErrorCode = (typeof OtlpErrorCode)[keyof typeof OtlpErrorCode];

export const OTLP_ERROR_CODES: readonly OtlpErrorCode[] = Object.values(OtlpErrorCode);

export function otlpError(
  code: OtlpErrorCode,
  message: string,
  details: Record<string, unknown> = {},
  cause?: unknown,
): PermanentError {
  return new PermanentError(code, message, cause === undefined ? { details } : { details, cause });
}

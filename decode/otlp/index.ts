/**
 * OTLP decoding and encoding for Warden: export requests (traces and logs, protobuf or OTLP/JSON)
 * to flat records and back, gzip bodies with a size cap, and export responses for the receiver.
 */
export type { AnyValue, Attributes, DecodedLogRecord, DecodedRecord, DecodedSpan, Scope, SpanEvent } from './records.js';
export { decodeOtlp, scanOtlp } from './decode.js';
export { encodeOtlp } from './encode.js';
export { encodeExportResponse, type PartialSuccess } from './response.js';
export { gunzipBody } from './gunzip.js';
export { type DecodeLimits, DEFAULT_DECODE_LIMITS, resolveDecodeLimits } from './limits.js';
export { OTLP_ERROR_CODES, OtlpErrorCode } from './otlp-errors.js';

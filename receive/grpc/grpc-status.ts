/**
 * What an OTLP/gRPC client is told: a Warden error → a gRPC status per the OTLP specification,
 * and the export response (with `partial_success` when records were refused).
 *
 * The code follows the error's HTTP status from the closed list (lib/error-codes.ts), so gRPC
 * and HTTP clients are told the same thing:
 *   401 → UNAUTHENTICATED, 403 → PERMISSION_DENIED (not retryable);
 *   413 (too large as sent or once inflated) → RESOURCE_EXHAUSTED without RetryInfo, which the
 *     specification makes not retryable — the same bytes would be refused again;
 *   429 (queue full) → RESOURCE_EXHAUSTED with a RetryInfo (`grpc-status-details-bin`): only then
 *     does the specification let a client retry it, after `retry_delay`;
 *   503 (transport or storage down) → UNAVAILABLE with a RetryInfo (retryable anyway);
 *   any other 4xx (malformed) → INVALID_ARGUMENT; 5xx → INTERNAL.
 * Messages of 5xx, 429 and 503 errors stay in the log unless written for the client (`ApiError`).
 */
import { Metadata, status as GrpcCode, type StatusObject } from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { ERROR_CODES, type ErrorCode } from '../../lib/error-codes.js';
import { ApiError, WardenError } from '../../lib/errors.js';

export { GrpcCode };

export const STATUS_DETAILS_KEY = 'grpc-status-details-bin';
export const RETRY_INFO_TYPE = 'type.googleapis.com/google.rpc.RetryInfo';

/** Seconds a client waits before retrying, by HTTP status (the same as OTLP/HTTP's Retry-After). */
const RETRY_AFTER_SECONDS: Readonly<Record<number, number>> = { 429: 1, 503: 2 };

export interface GrpcError {
  /** The Warden code counted in `warden_errors_total`. */
  code: ErrorCode;
  status: StatusObject;
}

function grpcCodeOf(httpStatus: number): GrpcCode {
  if (httpStatus === 401) return GrpcCode.UNAUTHENTICATED;
  if (httpStatus === 403) return GrpcCode.PERMISSION_DENIED;
  if (httpStatus === 413 || httpStatus === 429) return GrpcCode.RESOURCE_EXHAUSTED;
  if (httpStatus === 503) return GrpcCode.UNAVAILABLE;
  if (httpStatus >= 500) return GrpcCode.INTERNAL;
  return GrpcCode.INVALID_ARGUMENT;
}

function shownMessage(err: unknown, code: ErrorCode): string {
  const { status } = ERROR_CODES[code];
  if (err instanceof ApiError || (status < 500 && status !== 429)) return (err as Error).message;
  if (status === 429) return 'Warden is busy; retry later';
  if (status === 503) return 'Warden cannot accept data right now; retry later';
  return 'Internal Server Error';
}

/**
 * `google.rpc.Status{code, message, details: [Any{RetryInfo{retry_delay: seconds}}]}` — the
 * bytes of `grpc-status-details-bin`, written field by field (no schema needed for four fields).
 */
export function encodeRetryStatus(code: number, message: string, retryDelaySeconds: number): Buffer {
  const duration = protobuf.Writer.create().uint32(0x08).int64(retryDelaySeconds).finish();
  const retryInfo = protobuf.Writer.create().uint32(0x0a).bytes(duration).finish();
  const any = protobuf.Writer.create().uint32(0x0a).string(RETRY_INFO_TYPE).uint32(0x12).bytes(retryInfo).finish();
  const out = protobuf.Writer.create().uint32(0x08).int32(code).uint32(0x12).string(message).uint32(0x1a).bytes(any).finish();
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}

/** Any thrown value → the Warden code and the gRPC status answered for it. */
export function toGrpcError(err: unknown): GrpcError {
  const code: ErrorCode = err instanceof WardenError ? err.code : 'INTERNAL';
  const httpStatus = ERROR_CODES[code].status;
  const grpcCode = grpcCodeOf(httpStatus);
  const details = shownMessage(err, code);
  const metadata = new Metadata();
  const retryAfter = RETRY_AFTER_SECONDS[httpStatus];
  if (retryAfter !== undefined) metadata.set(STATUS_DETAILS_KEY, encodeRetryStatus(grpcCode, details, retryAfter));
  return { code, status: { code: grpcCode, details, metadata } };
}

/**
 * `Export{Trace,Logs,Metrics}ServiceResponse`: empty, or `partial_success` (field 1) holding the
 * records rejected (field 1, int64) and why (field 2). All three signals share this shape.
 */
export function encodeExportResponse(partial?: { rejected: number; errorMessage: string }): Buffer {
  if (partial === undefined) return Buffer.alloc(0);
  const inner = protobuf.Writer.create().uint32(0x08).int64(partial.rejected).uint32(0x12).string(partial.errorMessage).finish();
  const out = protobuf.Writer.create().uint32(0x0a).bytes(inner).finish();
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}

/**
 * OTLP/HTTP error bodies: a `google.rpc.Status` message (code, message) in the request's own
 * encoding. In protobuf it is two fields — 1: int32 code, 2: string message — small enough to
 * write by hand without a schema.
 */
const GRPC_INVALID_ARGUMENT = 3;
const GRPC_RESOURCE_EXHAUSTED = 8;
const GRPC_UNAVAILABLE = 14;
const GRPC_UNAUTHENTICATED = 16;
const GRPC_PERMISSION_DENIED = 7;
const GRPC_INTERNAL = 13;

export function grpcCodeFor(httpStatus: number): number {
  if (httpStatus === 401) return GRPC_UNAUTHENTICATED;
  if (httpStatus === 403) return GRPC_PERMISSION_DENIED;
  if (httpStatus === 429) return GRPC_RESOURCE_EXHAUSTED;
  if (httpStatus === 503) return GRPC_UNAVAILABLE;
  if (httpStatus >= 500) return GRPC_INTERNAL;
  return GRPC_INVALID_ARGUMENT;
}

function varint(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return out;
}

export function encodeStatus(code: number, message: string, json: boolean): Buffer {
  if (json) return Buffer.from(JSON.stringify({ code, message }));
  const text = Buffer.from(message, 'utf8');
  return Buffer.concat([Buffer.from([0x08, ...varint(code), 0x12, ...varint(text.length)]), text]);
}

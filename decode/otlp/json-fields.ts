/**
 * Typed reads of OTLP/JSON fields. OTLP/JSON is the proto3 JSON mapping with OTLP's exceptions:
 * keys are lowerCamelCase (the proto snake_case names are accepted too), trace and span ids are
 * hex strings (not base64; base64 is accepted as a fallback for ids that are not hex), 64-bit
 * integers may be JSON strings or numbers, enums may be integers or their names, `null` means
 * "absent" and unknown fields are ignored. A value of the wrong JSON type is OTLP_DECODE_JSON.
 */
import { OtlpErrorCode, otlpError } from './otlp-errors.js';
import { bytesToHex, isHex } from './hex.js';

export type JsonObject = { [key: string]: unknown };

export function jsonError(path: string, expected: string, got: unknown): never {
  const kind = got === null ? 'null' : Array.isArray(got) ? 'array' : typeof got;
  throw otlpError(OtlpErrorCode.DECODE_JSON, `invalid OTLP/JSON: ${path} must be ${expected}, got ${kind}`, {
    path,
  });
}

/** The value of a field under its camelCase name, else its snake_case name. */
export function field(obj: JsonObject, camel: string, snake: string): unknown {
  const v = obj[camel];
  return v === undefined || v === null ? obj[snake] : v;
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function optObject(v: unknown, path: string): JsonObject | undefined {
  if (v === undefined || v === null) return undefined;
  if (isObject(v)) return v;
  return jsonError(path, 'an object', v);
}

export function optArray(v: unknown, path: string): readonly unknown[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v;
  return jsonError(path, 'an array', v);
}

export function optString(v: unknown, path: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  return jsonError(path, 'a string', v);
}

const UINT64_MAX = (1n << 64n) - 1n;
const DIGITS = /^[0-9]+$/;

/** fixed64 timestamp: decimal string or non-negative integer number → decimal string. */
export function uint64String(v: unknown, path: string): string {
  if (v === undefined || v === null) return '0';
  if (typeof v === 'string') {
    if (!DIGITS.test(v)) return jsonError(path, 'an unsigned decimal integer', v);
    if (v.length < 16 && v[0] !== '0') return v;
    const n = BigInt(v);
    if (n > UINT64_MAX) return jsonError(path, 'at most 2^64-1', v);
    return n.toString();
  }
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < 2 ** 64) {
    return BigInt(v).toString();
  }
  return jsonError(path, 'an unsigned 64-bit integer', v);
}

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const SIGNED_DIGITS = /^-?[0-9]+$/;

/** int64 AnyValue: number when safe, else decimal string (never a rounded number). */
export function int64Value(v: unknown, path: string): number | string {
  if (typeof v === 'number') {
    if (Number.isSafeInteger(v)) return v;
    if (Number.isInteger(v) && v >= -(2 ** 63) && v < 2 ** 63) return BigInt(v).toString();
    return jsonError(path, 'a 64-bit integer', v);
  }
  if (typeof v === 'string' && SIGNED_DIGITS.test(v)) {
    const n = BigInt(v);
    if (n < INT64_MIN || n > INT64_MAX) return jsonError(path, 'a 64-bit integer', v);
    const asNumber = Number(n);
    return Number.isSafeInteger(asNumber) ? asNumber : n.toString();
  }
  return jsonError(path, 'a 64-bit integer', v);
}

/** double: a JSON number, or one of the proto3 JSON strings "NaN", "Infinity", "-Infinity". */
export function doubleValue(v: unknown, path: string): number {
  if (typeof v === 'number') return v;
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return jsonError(path, 'a number', v);
}

/** An enum: integer, integer string or one of `names` (index = value). */
export function enumValue(v: unknown, path: string, names: Readonly<Record<string, number>>): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number' && Number.isInteger(v) && Math.abs(v) <= 0x7fffffff) return v;
  if (typeof v === 'string') {
    const named = names[v];
    if (named !== undefined) return named;
    if (/^-?[0-9]{1,10}$/.test(v) && Math.abs(Number(v)) <= 0x7fffffff) return Number(v);
  }
  return jsonError(path, 'an enum value', v);
}

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/** A trace or span id: hex (lowercased), or base64 for senders that used the generic mapping. */
export function idValue(v: unknown, path: string): string {
  if (v === undefined || v === null || v === '') return '';
  if (typeof v !== 'string') return jsonError(path, 'a hex string', v);
  if (isHex(v)) return v.toLowerCase();
  if (BASE64.test(v)) {
    const bytes = Buffer.from(v, 'base64');
    return bytesToHex(bytes, 0, bytes.length);
  }
  return jsonError(path, 'a hex string', v);
}

/** bytes: base64 (standard or URL-safe) → a fresh Uint8Array. */
export function bytesValue(v: unknown, path: string): Uint8Array {
  if (typeof v !== 'string' || !BASE64.test(v)) return jsonError(path, 'a base64 string', v);
  return new Uint8Array(Buffer.from(v, 'base64'));
}

function enumNames(prefix: string, names: readonly string[]): Record<string, number> {
  const out: Record<string, number> = Object.create(null) as Record<string, number>;
  names.forEach((name, i) => (out[`${prefix}${name}`] = i));
  return out;
}

export const SPAN_KIND_NAMES = enumNames('SPAN_KIND_', [
  'UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER',
]);
export const STATUS_CODE_NAMES = enumNames('STATUS_CODE_', ['UNSET', 'OK', 'ERROR']);
export const SEVERITY_NUMBER_NAMES = enumNames(
  'SEVERITY_NUMBER_',
  ['UNSPECIFIED'].concat(
    ...['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'].map((l) => [l, `${l}2`, `${l}3`, `${l}4`]),
  ),
);

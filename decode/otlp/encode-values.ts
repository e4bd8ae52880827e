/**
 * Builds OTLP message objects (AnyValue, KeyValue lists, ids, timestamps) from decoded records,
 * for either wire form: `PROTO_FORM` produces the objects protobufjs encodes with otlp.proto
 * (bytes as Uint8Array, 64-bit values as Long), `JSON_FORM` produces OTLP/JSON (ids as hex,
 * 64-bit values as decimal strings, bytes as base64, NaN/±Infinity as strings).
 *
 * JS numbers that are safe integers are written as `intValue`, other numbers as `doubleValue`; a
 * decimal string written for an unsafe int64 goes back as `stringValue` (it decodes to the same
 * JS value).
 */
import type { AnyValue, Attributes } from './records.js';
import { longBits } from './schema.js';
import { hexToBytes, isHex } from './hex.js';
import { OtlpErrorCode, otlpError } from './otlp-errors.js';

export interface WireForm {
  id(hex: string, what: string): unknown;
  time(decimal: string, what: string): unknown;
  int(n: number): unknown;
  double(n: number): unknown;
  bytes(b: Uint8Array): unknown;
}

export type MessageObject = Record<string, unknown>;

const DIGITS = /^[0-9]+$/;

function checkedId(hex: string, what: string): string {
  if (!isHex(hex)) throw otlpError(OtlpErrorCode.ENCODE, `${what} is not a hex string`, { what });
  return hex;
}

function checkedTime(decimal: string, what: string): string {
  if (!DIGITS.test(decimal) || BigInt(decimal) >= 1n << 64n) {
    throw otlpError(OtlpErrorCode.ENCODE, `${what} is not an unsigned 64-bit decimal`, { what });
  }
  return decimal;
}

export const PROTO_FORM: WireForm = {
  id: (hex, what) => hexToBytes(checkedId(hex, what)),
  time: (decimal, what) => longBits(BigInt(checkedTime(decimal, what))),
  int: (n) => n,
  double: (n) => n,
  bytes: (b) => b,
};

export const JSON_FORM: WireForm = {
  id: (hex, what) => checkedId(hex, what).toLowerCase(),
  time: (decimal, what) => BigInt(checkedTime(decimal, what)).toString(),
  int: (n) => String(n),
  double: (n) => (Number.isFinite(n) ? n : String(n)),
  bytes: (b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64'),
};

export function anyValueMessage(v: AnyValue, form: WireForm): MessageObject {
  if (v === null || v === undefined) return {};
  switch (typeof v) {
    case 'string':
      return { stringValue: v };
    case 'boolean':
      return { boolValue: v };
    case 'number':
      return Number.isSafeInteger(v) && !Object.is(v, -0) ? { intValue: form.int(v) } : { doubleValue: form.double(v) };
    default:
      if (v instanceof Uint8Array) return { bytesValue: form.bytes(v) };
      if (Array.isArray(v)) return { arrayValue: { values: v.map((item) => anyValueMessage(item, form)) } };
      return { kvlistValue: { values: keyValueMessages(v, form) } };
  }
}

export function keyValueMessages(attributes: Attributes, form: WireForm): MessageObject[] {
  const out: MessageObject[] = [];
  for (const key of Object.keys(attributes)) {
    out.push({ key, value: anyValueMessage(attributes[key] as AnyValue, form) });
  }
  return out;
}

/**
 * Conversions from OTLP attribute values (AnyValue: strings, numbers, booleans, bytes, arrays,
 * key-value lists) to the plain shapes an AuditEvent holds: strings, string lists, booleans,
 * integers and JSON. Harnesses are inconsistent about types (`success` as `true` or `"true"`,
 * scope as an array, a JSON string or a comma-separated string), so every reader here is lenient
 * and never throws: a value it cannot read is treated as absent.
 */
import type { AnyValue } from './records.js';

/** A plain JSON-like value: what AnyValue becomes once bytes are encoded. */
export type PlainValue = string | number | boolean | null | PlainValue[] | { [key: string]: PlainValue };

export function isKvList(value: AnyValue | undefined): value is { [key: string]: AnyValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

/** Bytes become base64 so they survive JSON; everything else is copied as is. */
export function toPlain(value: AnyValue): PlainValue {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map(toPlain);
  const out: { [key: string]: PlainValue } = {};
  for (const key of Object.keys(value)) out[key] = toPlain(value[key] as AnyValue);
  return out;
}

/** Scalars as their text, arrays and key-value lists as JSON; null and undefined as ''. */
export function asString(value: AnyValue | undefined): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  return JSON.stringify(toPlain(value));
}

/**
 * A string list from an array, a JSON-encoded array, or a comma-separated string.
 * Empty entries are dropped; order is kept.
 */
export function asStringList(value: AnyValue | undefined): string[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value.map(asString).filter((s) => s !== '');
  if (typeof value !== 'string') {
    const single = asString(value);
    return single === '' ? [] : [single];
  }
  const text = value.trim();
  if (text.startsWith('[')) {
    const parsed = tryParseJson(text);
    if (Array.isArray(parsed)) return parsed.map((v) => asString(v as AnyValue)).filter((s) => s !== '');
  }
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** true/false from booleans, `"true"`/`"false"`, `1`/`0`; undefined when it is neither. */
export function asBoolean(value: AnyValue | undefined): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value === 1 ? true : value === 0 ? false : undefined;
  if (typeof value === 'string') {
    const text = value.trim().toLowerCase();
    if (text === 'true' || text === '1') return true;
    if (text === 'false' || text === '0') return false;
  }
  return undefined;
}

/**
 * An integer from a number or a decimal string; null otherwise. Only exact (safe) integers: a
 * double such as 1e300 is "an integer" to JavaScript but would be written as `1e+300`, which an
 * Int64 column refuses, and digits past 2^53 would be rounded.
 */
export function asInteger(value: AnyValue | undefined): number | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : null;
  if (typeof value === 'string' && /^-?\d{1,16}$/.test(value.trim())) {
    const n = Number(value.trim());
    return Number.isSafeInteger(n) ? n : null;
  }
  return null;
}

/** JSON.parse that answers undefined instead of throwing. */
export function tryParseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Joins an argv array (Codex sends `["bash","-lc","rm -rf build"]`) into one shell command. */
export function argvToCommand(argv: readonly unknown[]): string {
  return argv
    .map((part) => {
      const word = typeof part === 'string' ? part : JSON.stringify(part);
      return SAFE_WORD.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
    })
    .join(' ');
}

/** JSON with object keys sorted at every level, so equal values always give equal text. */
export function canonicalJson(value: AnyValue | undefined): string {
  if (value === undefined) return '';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (value instanceof Uint8Array) return JSON.stringify(Buffer.from(value).toString('base64'));
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value).sort();
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    if (i > 0) out += ',';
    out += `${JSON.stringify(key)}:${canonicalJson(value[key])}`;
  }
  return `${out}}`;
}

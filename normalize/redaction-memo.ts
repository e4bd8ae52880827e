/**
 * A bounded memo in front of the redactor. Most attribute values repeat from record to record
 * (resource attributes, session ids, tool names, model names), and the redactor is a pure
 * function of (name, text), so short values are redacted once and the result reused. Only
 * values up to MAX_MEMO_VALUE characters are remembered; when the memo is full it is emptied.
 * Structured values (`redactValue`) pass straight through to the redactor when it has them.
 * The memo lives in process memory only, like the records themselves, and is never exported.
 */
import type { RedactionResult, Redactor, ValueRedactionResult, ValueRedactor } from './redact/redaction.js';

export const MAX_MEMO_VALUE = 256;
export const DEFAULT_MEMO_ENTRIES = 20_000;

export function memoizeRedactor(inner: Redactor, maxEntries: number = DEFAULT_MEMO_ENTRIES): Redactor {
  const memo = new Map<string, RedactionResult>();

  function cached(key: string, compute: () => RedactionResult): RedactionResult {
    const hit = memo.get(key);
    if (hit !== undefined) return hit;
    const result = compute();
    if (memo.size >= maxEntries) memo.clear();
    memo.set(key, result);
    return result;
  }

  const memoized: Redactor = {
    redact(text) {
      if (text.length > MAX_MEMO_VALUE) return inner.redact(text);
      return cached(`\u0001${text}`, () => inner.redact(text));
    },
    redactNamed(name, value) {
      if (value.length > MAX_MEMO_VALUE) return inner.redactNamed(name, value);
      return cached(`${name}\u0000${value}`, () => inner.redactNamed(name, value));
    },
  };
  if ('redactValue' in inner) {
    const valueRedactor = inner as ValueRedactor;
    const withValues: ValueRedactor = {
      ...memoized,
      redactValue: (value: unknown, name?: string): ValueRedactionResult => valueRedactor.redactValue(value, name),
      redactJsonString: (json: string): RedactionResult => valueRedactor.redactJsonString(json),
    };
    return withValues;
  }
  return memoized;
}

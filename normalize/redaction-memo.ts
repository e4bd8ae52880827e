/**
 * A bounded memo in front of the redactor. Most attribute values repeat from record to record
 * (resource attributes, session ids, tool names, model names, the commands agents rerun), and the
 * redactor is a pure function of (name, text), so short values are redacted once and the result
 * reused. Only values up to MAX_MEMO_VALUE characters are remembered, in a least-recently-used
 * map of at most `maxEntries` values (lib/bounded.ts): values seen once (tool call ids,
 * timestamps) push out only the least used entries, never the whole memo. Each value keeps the
 * answers for the names it was redacted under (at most MAX_NAMES_PER_VALUE; past it, that value's
 * names start over), so the key is the value itself, not a concatenation built per lookup.
 * Structured values (`redactValue`) are walked here, with every string leaf going through the
 * memo, the same walk the built-in redactor does (`walkValue`: nearest key as the name, numbers
 * under password-like names redacted). The memo lives in process memory only, like the records
 * themselves, and is never exported.
 */
import { BoundedMap } from '../lib/bounded.js';
import type { RedactionResult, Redactor, ValueRedactionResult, ValueRedactor } from './redact/redaction.js';
import { walkJsonString, walkValue } from './redact/walk.js';

export const MAX_MEMO_VALUE = 256;
export const DEFAULT_MEMO_ENTRIES = 20_000;
/** Names one value is remembered under (a value is nearly always seen under one or two). */
export const MAX_NAMES_PER_VALUE = 8;

/** What the memo knows about one value: its plain redaction and its redaction under names. */
interface Slot {
  text?: RedactionResult;
  named?: Map<string, RedactionResult>;
}

export function memoizeRedactor(inner: Redactor, maxEntries: number = DEFAULT_MEMO_ENTRIES): Redactor {
  const memo = new BoundedMap<string, Slot>(maxEntries);

  function slotOf(value: string): Slot {
    let slot = memo.lookup(value);
    if (slot === undefined) {
      slot = {};
      memo.set(value, slot);
    }
    return slot;
  }

  const memoized: Redactor = {
    redact(text) {
      if (text.length > MAX_MEMO_VALUE) return inner.redact(text);
      const slot = slotOf(text);
      return (slot.text ??= inner.redact(text));
    },
    redactNamed(name, value) {
      if (value.length > MAX_MEMO_VALUE) return inner.redactNamed(name, value);
      const slot = slotOf(value);
      const named = (slot.named ??= new Map());
      let hit = named.get(name);
      if (hit === undefined) {
        hit = inner.redactNamed(name, value);
        if (named.size >= MAX_NAMES_PER_VALUE) named.clear();
        named.set(name, hit);
      }
      return hit;
    },
  };
  if ('redactValue' in inner) {
    const redactNamed = (name: string, value: string): RedactionResult => memoized.redactNamed(name, value);
    const withValues: ValueRedactor = {
      ...memoized,
      redactValue: (value: unknown, name?: string): ValueRedactionResult => walkValue(redactNamed, value, name),
      redactJsonString: (json: string): RedactionResult => walkJsonString(redactNamed, json),
    };
    return withValues;
  }
  return memoized;
}

/**
 * Walks parsed JSON and attribute objects, redacting every string with the nearest object key
 * as its name (`{"env": {"AWS_SECRET_ACCESS_KEY": "…"}}`). OTLP's JSON attribute shape
 * `{"key": "API_TOKEN", "value": {"stringValue": "…"}}` is understood: the `key` names the value.
 * Numbers under password-like names become the marker string. Inputs are never mutated; a
 * subtree without secrets is returned as the same object.
 */
import type { RedactedSecret, RedactionResult, ValueRedactionResult } from './redaction.js';
import { classifySecretName } from './secret-names.js';
import { marker } from './marker.js';

type NamedRedact = (name: string, value: string) => RedactionResult;

/** Deeper structures are flattened to JSON text and scanned as text. */
export const MAX_WALK_DEPTH = 64;

/** OTLP AnyValue fields: they inherit the name of the attribute that holds them. */
const ANY_VALUE_FIELDS = new Set([
  'stringValue', 'intValue', 'doubleValue', 'boolValue', 'bytesValue', 'arrayValue', 'kvlistValue', 'values',
]);

interface Walk {
  redactNamed: NamedRedact;
  count: number;
  kinds: Set<string>;
  secrets: RedactedSecret[];
}

function note(w: Walk, r: RedactionResult): void {
  w.count += r.count;
  for (const k of r.kinds) w.kinds.add(k);
  if (r.secrets !== undefined) for (const s of r.secrets) w.secrets.push(s);
}

function walk(w: Walk, value: unknown, name: string, depth: number): unknown {
  if (typeof value === 'string') {
    const r = w.redactNamed(name, value);
    note(w, r);
    return r.count > 0 ? r.text : value;
  }
  if (typeof value === 'number' || typeof value === 'bigint') {
    if (classifySecretName(name) !== 'password') return value;
    note(w, { text: '', count: 1, kinds: ['password_assignment'], secrets: [{ value: String(value), kind: 'password_assignment' }] });
    return marker('password_assignment');
  }
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_WALK_DEPTH) {
    const r = w.redactNamed(name, JSON.stringify(value) ?? '');
    note(w, r);
    return r.count > 0 ? r.text : value;
  }
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((item) => {
      const next = walk(w, item, name, depth + 1);
      if (next !== item) changed = true;
      return next;
    });
    return changed ? out : value;
  }
  const record = value as Record<string, unknown>;
  const attributeKey = typeof record.key === 'string' && 'value' in record ? record.key : undefined;
  let changed = false;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) {
    let childName = k;
    if (k === 'value' && attributeKey !== undefined) childName = attributeKey;
    else if (ANY_VALUE_FIELDS.has(k)) childName = name;
    const next = walk(w, v, childName, depth + 1);
    if (next !== v) changed = true;
    // defineProperty, not assignment: a parsed `"__proto__"` key must stay a plain key.
    Object.defineProperty(out, k, { value: next, enumerable: true, writable: true, configurable: true });
  }
  return changed ? out : value;
}

export function walkValue(redactNamed: NamedRedact, value: unknown, name = ''): ValueRedactionResult {
  const w: Walk = { redactNamed, count: 0, kinds: new Set(), secrets: [] };
  const out = walk(w, value, name, 0);
  return { value: out, count: w.count, kinds: [...w.kinds], secrets: w.secrets };
}

/** Parses, walks and re-serialises; unparseable input is scanned as plain text. */
export function walkJsonString(redactNamed: NamedRedact, json: string): RedactionResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return redactNamed('', json);
  }
  const r = walkValue(redactNamed, parsed);
  if (r.count === 0) return { text: json, count: 0, kinds: [] };
  return { text: JSON.stringify(r.value), count: r.count, kinds: r.kinds, ...(r.secrets ? { secrets: r.secrets } : {}) };
}

/**
 * The last step before an AuditEvent leaves normalize: every string of the event that comes from
 * the record goes through the redactor — name, identity (session, agent, user), tool, tool call
 * id, command, cwd, environment, goal, decision, error type, non-hex trace/span ids, targets,
 * scope patterns, tool arguments and attributes (keys and values). Tool arguments and structured
 * attribute values are walked so each string is redacted under its own key (`{"password": "…"}`
 * is caught by name); flat attributes are redacted under their key.
 *
 * Then every secret found anywhere in the event is redacted wherever else it appears in the event,
 * context or not: a password recognised in `mysql -pX` is also removed from a span name or a
 * description that repeats it bare, and from targets the classifier derived from the raw command
 * (classification runs before redaction, on the raw record). Only the tenant is left as sent: it
 * decides data isolation and comes from the receiver or the deployment, not from the agent.
 * The event's `redactions` counts what was replaced and the kinds are returned for metrics.
 */
import type { AuditEvent } from '../model/audit-event.js';
import type { AnyValue } from '../decode/otlp/records.js';
import type { RedactedSecret, Redactor, ValueRedactor } from './redact/redaction.js';
import { marker, markerRanges } from './redact/marker.js';
import { asString, toPlain, type PlainValue } from '../decode/otlp/values.js';

/** Shorter secrets are not spread to other fields (they would match ordinary words). */
export const MIN_SPREAD_LENGTH = 5;
/** OTLP trace and span ids are hex; anything else in them is redacted like text. */
const HEX_ID = /^[0-9a-fA-F]*$/;

export class RedactionTally {
  count = 0;
  readonly kinds: string[] = [];
  /** Secrets replaced so far, to be spread over the event's other strings. */
  readonly secrets: RedactedSecret[] = [];

  private readonly valueRedactor: ValueRedactor | undefined;

  constructor(private readonly redactor: Redactor) {
    this.valueRedactor = 'redactValue' in redactor ? (redactor as ValueRedactor) : undefined;
  }

  text(value: string): string {
    if (value === '') return value;
    const r = this.redactor.redact(value);
    if (r.count > 0) this.note(r.count, r.kinds, r.secrets);
    return r.text;
  }

  named(name: string, value: string): string {
    if (value === '') return value;
    const r = this.redactor.redactNamed(name, value);
    if (r.count > 0) this.note(r.count, r.kinds, r.secrets);
    return r.text;
  }

  /**
   * Walks a JSON-like value; each string leaf is redacted under its nearest key. Uses the
   * redactor's own walker when it has one (it also catches numbers under password-like names).
   */
  walk(name: string, value: PlainValue): PlainValue {
    if (this.valueRedactor !== undefined) {
      const r = this.valueRedactor.redactValue(value, name);
      if (r.count > 0) this.note(r.count, r.kinds, r.secrets);
      return r.value as PlainValue;
    }
    if (typeof value === 'string') return this.named(name, value);
    if (value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) return value.map((v) => this.walk(name, v));
    const out: { [key: string]: PlainValue } = {};
    for (const key of Object.keys(value)) out[key] = this.walk(key, value[key] as PlainValue);
    return out;
  }

  /**
   * The secrets found so far, longest first (so a secret containing another is replaced whole),
   * each once, with their JSON-escaped spelling when it differs (for JSON text fields).
   */
  spreadable(): RedactedSecret[] {
    const seen = new Set<string>();
    const out: RedactedSecret[] = [];
    for (const s of this.secrets) {
      const value = s.value.trim();
      if (value.length < MIN_SPREAD_LENGTH || seen.has(value)) continue;
      seen.add(value);
      out.push({ value, kind: s.kind });
      const escaped = JSON.stringify(value).slice(1, -1);
      if (escaped !== value && !seen.has(escaped)) {
        seen.add(escaped);
        out.push({ value: escaped, kind: s.kind });
      }
    }
    return out.sort((a, b) => b.value.length - a.value.length);
  }

  /** Replaces each of `secrets` in `text` (outside existing markers); counts what it replaced. */
  spread(text: string, secrets: readonly RedactedSecret[]): string {
    let out = text;
    for (const s of secrets) {
      if (!out.includes(s.value)) continue;
      const markers = markerRanges(out);
      let next = '';
      let at = 0;
      let from = 0;
      let replaced = 0;
      for (let i = out.indexOf(s.value, from); i !== -1; i = out.indexOf(s.value, from)) {
        const end = i + s.value.length;
        if (markers.some(([ms, me]) => i < me && ms < end)) {
          from = i + 1;
          continue;
        }
        next += out.slice(at, i) + marker(s.kind);
        at = end;
        from = end;
        replaced++;
      }
      if (replaced === 0) continue;
      out = next + out.slice(at);
      this.note(replaced, [s.kind], undefined);
    }
    return out;
  }

  private note(count: number, kinds: string[], secrets: RedactedSecret[] | undefined): void {
    this.count += count;
    for (const kind of kinds) this.kinds.push(kind);
    if (secrets !== undefined) for (const s of secrets) this.secrets.push(s);
  }
}

/** Raw material for the redacted fields of one event. */
export interface RedactionInput {
  /** Parsed tool arguments, raw text when not JSON, undefined when absent. */
  args: unknown;
  /** Unmapped attributes, keyed as they will be stored. */
  attributes: ReadonlyArray<[string, AnyValue]>;
}

/** The event's single-string fields that come from the record (tenant excepted, see above). */
const TEXT_FIELDS = [
  'name', 'session_id', 'agent_id', 'user_id', 'tool', 'tool_call_id', 'command', 'cwd',
  'environment', 'goal', 'decision', 'error_type',
] as const satisfies readonly (keyof AuditEvent)[];
const ID_FIELDS = ['trace_id', 'span_id', 'parent_span_id'] as const satisfies readonly (keyof AuditEvent)[];
const LIST_FIELDS = ['targets', 'scope_allow', 'scope_deny'] as const satisfies readonly (keyof AuditEvent)[];

/** Redacts the event's strings in place and fills `arguments`, `attributes`, `redactions`. */
export function redactEvent(event: AuditEvent, input: RedactionInput, redactor: Redactor): string[] {
  const tally = new RedactionTally(redactor);
  for (const field of TEXT_FIELDS) {
    event[field] = field === 'command' ? tally.named('command', event.command) : tally.text(event[field]);
  }
  for (const field of ID_FIELDS) if (!HEX_ID.test(event[field])) event[field] = tally.text(event[field]);
  for (const field of LIST_FIELDS) event[field] = event[field].map((t) => tally.text(t));

  if (typeof input.args === 'string') event.arguments = tally.text(input.args);
  else if (input.args !== undefined) event.arguments = JSON.stringify(tally.walk('arguments', input.args as PlainValue));

  const attributes: Record<string, string> = {};
  for (const [rawKey, value] of input.attributes) {
    let key = tally.text(rawKey);
    // Two keys that redact alike both stay.
    for (let n = 2; key !== rawKey && key in attributes; n++) key = `${tally.text(rawKey)}#${n}`;
    if (value !== null && typeof value === 'object' && !(value instanceof Uint8Array)) {
      attributes[key] = JSON.stringify(tally.walk(rawKey, toPlain(value)));
    } else {
      attributes[key] = tally.named(rawKey, asString(value));
    }
  }
  event.attributes = attributes;

  if (tally.secrets.length > 0) spreadSecrets(event, tally);
  event.redactions = tally.count;
  return tally.kinds;
}

/** Second pass: each secret found in one string is removed from every other string of the event. */
function spreadSecrets(event: AuditEvent, tally: RedactionTally): void {
  const secrets = tally.spreadable();
  if (secrets.length === 0) return;
  for (const field of TEXT_FIELDS) event[field] = tally.spread(event[field], secrets);
  for (const field of ID_FIELDS) event[field] = tally.spread(event[field], secrets);
  for (const field of LIST_FIELDS) event[field] = event[field].map((t) => tally.spread(t, secrets));
  event.arguments = tally.spread(event.arguments, secrets);
  const attributes: Record<string, string> = {};
  for (const [key, value] of Object.entries(event.attributes)) attributes[tally.spread(key, secrets)] = tally.spread(value, secrets);
  event.attributes = attributes;
}

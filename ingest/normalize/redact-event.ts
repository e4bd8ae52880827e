/**
 * The last step before an AuditEvent leaves normalize: every free-text field goes through the
 * redactor. Command, goal, cwd, error type, targets and scope patterns as plain text; tool
 * arguments and structured attribute values are walked so each string is redacted under its own
 * key (`{"password": "…"}` is caught by name); flat attributes are redacted under their key. The
 * event's `redactions` counts what was replaced and the kinds are returned for metrics.
 */
import type { AuditEvent } from '../audit-event.js';
import type { AnyValue } from '../otlp/records.js';
import type { Redactor, ValueRedactor } from '../redact/redaction.js';
import { asString, toPlain, type PlainValue } from './values.js';

export class RedactionTally {
  count = 0;
  readonly kinds: string[] = [];

  private readonly valueRedactor: ValueRedactor | undefined;

  constructor(private readonly redactor: Redactor) {
    this.valueRedactor = 'redactValue' in redactor ? (redactor as ValueRedactor) : undefined;
  }

  text(value: string): string {
    if (value === '') return value;
    const r = this.redactor.redact(value);
    if (r.count > 0) this.note(r.count, r.kinds);
    return r.text;
  }

  named(name: string, value: string): string {
    if (value === '') return value;
    const r = this.redactor.redactNamed(name, value);
    if (r.count > 0) this.note(r.count, r.kinds);
    return r.text;
  }

  /**
   * Walks a JSON-like value; each string leaf is redacted under its nearest key. Uses the
   * redactor's own walker when it has one (it also catches numbers under password-like names).
   */
  walk(name: string, value: PlainValue): PlainValue {
    if (this.valueRedactor !== undefined) {
      const r = this.valueRedactor.redactValue(value, name);
      if (r.count > 0) this.note(r.count, r.kinds);
      return r.value as PlainValue;
    }
    if (typeof value === 'string') return this.named(name, value);
    if (value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) return value.map((v) => this.walk(name, v));
    const out: { [key: string]: PlainValue } = {};
    for (const key of Object.keys(value)) out[key] = this.walk(key, value[key] as PlainValue);
    return out;
  }

  private note(count: number, kinds: string[]): void {
    this.count += count;
    for (const kind of kinds) this.kinds.push(kind);
  }
}

/** Raw material for the redacted fields of one event. */
export interface RedactionInput {
  /** Parsed tool arguments, raw text when not JSON, undefined when absent. */
  args: unknown;
  /** Unmapped attributes, keyed as they will be stored. */
  attributes: ReadonlyArray<[string, AnyValue]>;
}

/** Redacts the event's free-text fields in place and fills `arguments`, `attributes`, `redactions`. */
export function redactEvent(event: AuditEvent, input: RedactionInput, redactor: Redactor): string[] {
  const tally = new RedactionTally(redactor);
  event.command = tally.named('command', event.command);
  event.goal = tally.text(event.goal);
  event.cwd = tally.text(event.cwd);
  event.error_type = tally.text(event.error_type);
  event.targets = event.targets.map((t) => tally.text(t));
  event.scope_allow = event.scope_allow.map((t) => tally.text(t));
  event.scope_deny = event.scope_deny.map((t) => tally.text(t));

  if (typeof input.args === 'string') event.arguments = tally.text(input.args);
  else if (input.args !== undefined) event.arguments = JSON.stringify(tally.walk('arguments', input.args as PlainValue));

  const attributes: Record<string, string> = {};
  for (const [key, value] of input.attributes) {
    if (value !== null && typeof value === 'object' && !(value instanceof Uint8Array)) {
      attributes[key] = JSON.stringify(tally.walk(key, toPlain(value)));
    } else {
      attributes[key] = tally.named(key, asString(value));
    }
  }
  event.attributes = attributes;
  event.redactions = tally.count;
  return tally.kinds;
}

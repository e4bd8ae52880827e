/**
 * One decoded span or log record seen the way the mapping tables see it: a single attribute
 * lookup over the record's attributes, then (for logs) a key-value body — hook forwarders and
 * some harnesses put their fields there, as a kvlist or a JSON object string — then the resource
 * attributes. The view also resolves the record's name (span name; for logs the OTLP event name,
 * a name-like string body, or the `event.name` attribute) and remembers which keys the mapping
 * consumed, so everything else can be kept in `attributes`.
 *
 * Keys the tables may use beyond plain attribute names (looked at only when no attribute has the
 * key's exact name):
 *   `attr#a.b`          the value at path `a.b` inside attribute `attr` when that holds JSON
 *                       object text or a key-value list (Claude Code's `tool_parameters#full_command`)
 *   `x{attr}y{attr2}`   a template: the text with each `{key}` replaced by that key's value, only
 *                       when every one has a non-empty scalar value (`mcp__{…}__{…}`)
 *   `@trace`            `trace:<trace id>` for a span that has one (the session fallback of rules
 *                       with `session_fallback: trace`); nothing for log records
 * An OTLP `eventName` that is a tracing call site (`event codex-rs/…:631`, from Rust's tracing
 * appender) is not a name: the `event.name` attribute is preferred for display.
 */
import type { AnyValue, Attributes, DecodedRecord } from '../decode/otlp/records.js';
import { isKvList, tryParseJson } from '../decode/otlp/values.js';

const NAME_LIKE = /^[A-Za-z0-9_.:/-]{1,128}$/;
/** Rust tracing's event names (`event <file>:<line>`), which its OTLP appender puts in eventName. */
const CALL_SITE_NAME = /^event \S+:\d+$/;
export const TRACE_SESSION_KEY = '@trace';
export const TRACE_SESSION_PREFIX = 'trace:';
const TEMPLATE_PART = /\{([^{}]+)\}/g;

export class RecordView {
  readonly record: DecodedRecord;
  readonly attributes: Attributes;
  /** The log body when it is a key-value object (kvlist or JSON object text), else undefined. */
  readonly body: Attributes | undefined;
  readonly resource: Attributes;
  /** Display name: span name or log event name. */
  readonly name: string;
  /** Every name the record may be recognised by (logs can carry up to three). */
  readonly names: string[];
  /** Keys whose value went into a mapped field (dropped from `attributes`). */
  readonly consumed = new Set<string>();
  /** Whether a string body was used as the record's name (so it is not kept as `body`). */
  readonly bodyIsName: boolean;
  /** JSON-text attributes already parsed for `attr#path` keys. */
  private readonly parsed = new Map<string, AnyValue | undefined>();

  constructor(record: DecodedRecord) {
    this.record = record;
    this.attributes = record.attributes ?? {};
    this.resource = record.resource ?? {};
    if (record.signal === 'traces') {
      this.body = undefined;
      this.name = record.name;
      this.names = [record.name];
      this.bodyIsName = false;
      return;
    }
    this.body = bodyObject(record.body);
    const eventAttr = this.attributes['event.name'];
    const attrName = typeof eventAttr === 'string' ? eventAttr : '';
    const bodyName = typeof record.body === 'string' && NAME_LIKE.test(record.body) ? record.body : '';
    this.names = [record.eventName, bodyName, attrName].filter((n) => n !== '');
    const eventName = attrName !== '' && CALL_SITE_NAME.test(record.eventName) ? '' : record.eventName;
    this.name = eventName || bodyName || attrName;
    this.bodyIsName = bodyName !== '' && this.name === bodyName;
    if (this.name !== '' && this.name === attrName) this.consumed.add('event.name');
  }

  /** Record attribute, else body field, else resource attribute; then the key forms above. */
  get(key: string): AnyValue | undefined {
    const plain = this.plain(key);
    if (plain !== undefined) return plain;
    if (key === TRACE_SESSION_KEY) {
      const r = this.record;
      return r.signal === 'traces' && r.traceId !== '' ? `${TRACE_SESSION_PREFIX}${r.traceId}` : undefined;
    }
    if (key.includes('{')) return this.template(key);
    const hash = key.indexOf('#');
    if (hash > 0) return this.inside(key.slice(0, hash), key.slice(hash + 1));
    return undefined;
  }

  private plain(key: string): AnyValue | undefined {
    const own = this.attributes[key];
    if (own !== undefined) return own;
    if (this.body !== undefined) {
      const inBody = this.body[key];
      if (inBody !== undefined) return inBody;
    }
    return this.resource[key];
  }

  /** The value at a dotted path inside a JSON-text or key-value attribute. */
  private inside(attr: string, path: string): AnyValue | undefined {
    let value: AnyValue | undefined;
    if (this.parsed.has(attr)) value = this.parsed.get(attr);
    else {
      value = this.plain(attr);
      if (typeof value === 'string') value = jsonObject(value);
      this.parsed.set(attr, value);
    }
    for (const step of path.split('.')) {
      if (!isKvList(value)) return undefined;
      value = value[step];
    }
    return value === null ? undefined : value;
  }

  private template(key: string): AnyValue | undefined {
    let missing = false;
    const text = key.replace(TEMPLATE_PART, (_, inner: string) => {
      const value = this.get(inner);
      const part = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
      if (part === '') missing = true;
      return part;
    });
    return missing ? undefined : text;
  }

  /** The first of `keys` with a usable value (per `usable`), marked consumed. */
  first(keys: readonly string[], usable: (v: AnyValue) => boolean = isPresent): AnyValue | undefined {
    for (const key of keys) {
      const value = this.get(key);
      if (value !== undefined && usable(value)) {
        this.consumed.add(key);
        return value;
      }
    }
    return undefined;
  }
}

function isPresent(value: AnyValue): boolean {
  return value !== null && value !== '';
}

function jsonObject(text: string): AnyValue | undefined {
  const start = text.trimStart();
  if (!start.startsWith('{')) return undefined;
  const parsed = tryParseJson(start);
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as AnyValue) : undefined;
}

function bodyObject(body: AnyValue): Attributes | undefined {
  if (isKvList(body)) return body;
  if (typeof body === 'string' && body.length > 1 && body.charCodeAt(0) === 123 /* { */) {
    try {
      const parsed: unknown = JSON.parse(body);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Attributes;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

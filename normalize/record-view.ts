/**
 * One decoded span or log record seen the way the mapping tables see it: a single attribute
 * lookup over the record's attributes, then (for logs) a key-value body — hook forwarders and
 * some harnesses put their fields there, as a kvlist or a JSON object string — then the resource
 * attributes. The view also resolves the record's name (span name; for logs the OTLP event name,
 * a name-like string body, or the `event.name` attribute) and remembers which keys the mapping
 * consumed, so everything else can be kept in `attributes`.
 */
import type { AnyValue, Attributes, DecodedRecord } from '../decode/otlp/records.js';
import { isKvList } from './values.js';

const NAME_LIKE = /^[A-Za-z0-9_.:/-]{1,128}$/;

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
    this.name = record.eventName || bodyName || attrName;
    this.bodyIsName = bodyName !== '' && this.name === bodyName;
    if (this.name !== '' && this.name === attrName) this.consumed.add('event.name');
  }

  /** Record attribute, else body field, else resource attribute. */
  get(key: string): AnyValue | undefined {
    const own = this.attributes[key];
    if (own !== undefined) return own;
    if (this.body !== undefined) {
      const inBody = this.body[key];
      if (inBody !== undefined) return inBody;
    }
    return this.resource[key];
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

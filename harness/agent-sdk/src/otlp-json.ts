/**
 * OTLP/JSON export requests (the encoding of OTLP/HTTP with `content-type: application/json`)
 * built from plain records: attribute values as OTLP AnyValue, times as nanosecond strings, ids
 * as hex. The SDK exporters (exporters.ts) and the harness's own records (records.ts) both end
 * here, so the package needs no OpenTelemetry package at run time.
 */

export type AttributeValue = string | number | boolean | null | undefined | Uint8Array | readonly AttributeValue[] | { readonly [key: string]: AttributeValue };
export type Attributes = Record<string, AttributeValue>;

export interface OtlpScope {
  name: string;
  version?: string;
}

/** One span, already in OTLP terms (kind: OTLP numbering, 1 = internal; status 0 unset, 1 ok, 2 error). */
export interface SpanRecord {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  traceState?: string;
  /** OTLP span flags: W3C trace flags in the low byte, bit 8 "is-remote known", bit 9 "parent is remote". */
  flags?: number;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: Attributes;
  events?: Array<{ name: string; timeUnixNano: string; attributes?: Attributes }>;
  links?: Array<{ traceId: string; spanId: string; traceState?: string; flags?: number; attributes?: Attributes }>;
  status?: { code: number; message?: string };
  droppedAttributesCount?: number;
}

export interface LogRecord {
  timeUnixNano: string;
  observedTimeUnixNano: string;
  severityNumber?: number;
  severityText?: string;
  body?: AttributeValue;
  attributes: Attributes;
  eventName?: string;
  traceId?: string;
  spanId?: string;
  /** W3C trace flags of the span the record was emitted in. */
  flags?: number;
  droppedAttributesCount?: number;
}

/** Records of one resource and scope. */
export interface Batch<R> {
  resource: Attributes;
  scope: OtlpScope;
  records: R[];
}

type AnyValue =
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: string }
  | { doubleValue: number }
  | { bytesValue: string }
  | { arrayValue: { values: AnyValue[] } }
  | { kvlistValue: { values: KeyValue[] } };
interface KeyValue {
  key: string;
  value: AnyValue;
}

export function anyValue(value: AttributeValue): AnyValue | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'number') return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
  if (value instanceof Uint8Array) return { bytesValue: Buffer.from(value).toString('base64') };
  if (Array.isArray(value)) return { arrayValue: { values: value.map((v) => anyValue(v as AttributeValue) ?? { stringValue: '' }) } };
  return { kvlistValue: { values: keyValues(value as Attributes) } };
}

export function keyValues(attributes: Attributes): KeyValue[] {
  const out: KeyValue[] = [];
  for (const [key, raw] of Object.entries(attributes)) {
    const value = anyValue(raw);
    if (value !== undefined) out.push({ key, value });
  }
  return out;
}

/** OTLP span flags from W3C trace flags and whether the (parent or linked) context is remote. */
export function spanFlags(traceFlags: number, isRemote: boolean | undefined): number {
  return (traceFlags & 0xff) | 0x100 | (isRemote ? 0x200 : 0);
}

/** Nanoseconds since the epoch, as OTLP/JSON writes them. */
export function nanosOfMs(ms: number): string {
  return (BigInt(Math.round(ms * 1000)) * 1000n).toString();
}

/** `[seconds, nanoseconds]` (OpenTelemetry's HrTime) as a nanosecond string. */
export function nanosOfHrTime(time: readonly [number, number] | undefined): string {
  if (!time) return '0';
  return (BigInt(time[0]) * 1_000_000_000n + BigInt(time[1])).toString();
}

function scopeJson(scope: OtlpScope): { name: string; version?: string } {
  return scope.version ? { name: scope.name, version: scope.version } : { name: scope.name };
}

export function tracesRequest(batches: ReadonlyArray<Batch<SpanRecord>>): object {
  return {
    resourceSpans: batches.map((b) => ({
      resource: { attributes: keyValues(b.resource) },
      scopeSpans: [
        {
          scope: scopeJson(b.scope),
          spans: b.records.map((s) => ({
            traceId: s.traceId,
            spanId: s.spanId,
            ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
            ...(s.traceState ? { traceState: s.traceState } : {}),
            ...(s.flags !== undefined ? { flags: s.flags } : {}),
            name: s.name,
            kind: s.kind,
            startTimeUnixNano: s.startTimeUnixNano,
            endTimeUnixNano: s.endTimeUnixNano,
            attributes: keyValues(s.attributes),
            droppedAttributesCount: s.droppedAttributesCount ?? 0,
            events: (s.events ?? []).map((e) => ({ name: e.name, timeUnixNano: e.timeUnixNano, attributes: keyValues(e.attributes ?? {}) })),
            links: (s.links ?? []).map((l) => ({
              traceId: l.traceId,
              spanId: l.spanId,
              ...(l.traceState ? { traceState: l.traceState } : {}),
              ...(l.flags !== undefined ? { flags: l.flags } : {}),
              attributes: keyValues(l.attributes ?? {}),
            })),
            status: { code: s.status?.code ?? 0, ...(s.status?.message ? { message: s.status.message } : {}) },
          })),
        },
      ],
    })),
  };
}

export function logsRequest(batches: ReadonlyArray<Batch<LogRecord>>): object {
  return {
    resourceLogs: batches.map((b) => ({
      resource: { attributes: keyValues(b.resource) },
      scopeLogs: [
        {
          scope: scopeJson(b.scope),
          logRecords: b.records.map((r) => {
            const body = anyValue(r.body ?? null);
            return {
              timeUnixNano: r.timeUnixNano,
              observedTimeUnixNano: r.observedTimeUnixNano,
              severityNumber: r.severityNumber ?? 0,
              ...(r.severityText ? { severityText: r.severityText } : {}),
              ...(body ? { body } : {}),
              attributes: keyValues(r.attributes),
              droppedAttributesCount: r.droppedAttributesCount ?? 0,
              ...(r.eventName ? { eventName: r.eventName } : {}),
              ...(r.traceId ? { traceId: r.traceId } : {}),
              ...(r.spanId ? { spanId: r.spanId } : {}),
              ...(r.flags !== undefined ? { flags: r.flags } : {}),
            };
          }),
        },
      ],
    })),
  };
}

/**
 * What the OTLP decoder hands on: one flat record per span or log record, with its resource and
 * instrumentation scope attached, ids as lowercase hex and times as decimal nanosecond strings
 * (64-bit values do not fit a JS number). Attribute values keep their OTLP type.
 */
export type AnyValue =
  | string
  | number
  | boolean
  | null
  | Uint8Array
  | AnyValue[]
  | { [key: string]: AnyValue };

export type Attributes = Record<string, AnyValue>;

export interface Scope {
  name: string;
  version: string;
}

export interface SpanEvent {
  name: string;
  timeUnixNano: string;
  attributes: Attributes;
}

export interface DecodedSpan {
  signal: 'traces';
  resource: Attributes;
  scope: Scope;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  /** OTLP SpanKind number (0 unspecified … 5 consumer). */
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: Attributes;
  events: SpanEvent[];
  /** OTLP status code: 0 unset, 1 ok, 2 error. */
  status: { code: number; message: string };
}

export interface DecodedLogRecord {
  signal: 'logs';
  resource: Attributes;
  scope: Scope;
  timeUnixNano: string;
  observedTimeUnixNano: string;
  severityNumber: number;
  severityText: string;
  body: AnyValue;
  attributes: Attributes;
  traceId: string;
  spanId: string;
  /** OTLP LogRecord.event_name (field 12), empty when absent. */
  eventName: string;
}

export type DecodedRecord = DecodedSpan | DecodedLogRecord;

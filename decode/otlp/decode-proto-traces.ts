/**
 * Protobuf decoding of one OTLP Span (and its events and status) into a DecodedSpan. Field
 * numbers are those of otlp.proto's Span, Span.Event and Status. Links, trace_state, flags and
 * dropped counts are read past: the flat record has no place for them.
 */
import type { Attributes, DecodedSpan, Scope, SpanEvent } from './records.js';
import type { WireReader } from './wire-reader.js';
import type { DecodeContext } from './decode-context.js';
import { decodeKeyValue } from './decode-proto-common.js';
import { decodeEnvelope } from './decode-proto-envelope.js';

const SPAN_TRACE_ID = 0x0a; // 1, bytes
const SPAN_SPAN_ID = 0x12; // 2, bytes
const SPAN_PARENT_SPAN_ID = 0x22; // 4, bytes
const SPAN_NAME = 0x2a; // 5, string
const SPAN_KIND = 0x30; // 6, enum
const SPAN_START = 0x39; // 7, fixed64
const SPAN_END = 0x41; // 8, fixed64
const SPAN_ATTRIBUTES = 0x4a; // 9, KeyValue
const SPAN_EVENTS = 0x5a; // 11, Event
const SPAN_STATUS = 0x7a; // 15, Status
const EVENT_TIME = 0x09; // 1, fixed64
const EVENT_NAME = 0x12; // 2, string
const EVENT_ATTRIBUTES = 0x1a; // 3, KeyValue
const STATUS_MESSAGE = 0x12; // 2, string
const STATUS_CODE = 0x18; // 3, enum

export function decodeTracesProto(r: WireReader, ctx: DecodeContext): DecodedSpan[] {
  return decodeEnvelope(r, ctx, (reader, end, resource, scope) => decodeSpan(reader, end, resource, scope, ctx));
}

function decodeSpan(r: WireReader, end: number, resource: Attributes, scope: Scope, ctx: DecodeContext): DecodedSpan {
  let traceId = '';
  let spanId = '';
  let parentSpanId = '';
  let name = '';
  let kind = 0;
  let startTimeUnixNano = '0';
  let endTimeUnixNano = '0';
  const attributes: Attributes = {};
  let attributeCount = 0;
  const events: SpanEvent[] = [];
  let status = { code: 0, message: '' };
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case SPAN_TRACE_ID:
        traceId = r.hex();
        break;
      case SPAN_SPAN_ID:
        spanId = r.hex();
        break;
      case SPAN_PARENT_SPAN_ID:
        parentSpanId = r.hex();
        break;
      case SPAN_NAME:
        name = r.string();
        break;
      case SPAN_KIND:
        kind = r.uint32() | 0;
        break;
      case SPAN_START:
        startTimeUnixNano = r.fixed64String();
        break;
      case SPAN_END:
        endTimeUnixNano = r.fixed64String();
        break;
      case SPAN_ATTRIBUTES:
        ctx.checkAttributeCount(++attributeCount);
        decodeKeyValue(r, r.lengthEnd(), attributes, 1, ctx);
        break;
      case SPAN_EVENTS:
        events.push(decodeEvent(r, r.lengthEnd(), ctx));
        break;
      case SPAN_STATUS:
        status = decodeStatus(r, r.lengthEnd());
        break;
      default:
        r.skip(tag & 7);
    }
  }
  r.expectEnd(end);
  return {
    signal: 'traces',
    resource,
    scope,
    traceId,
    spanId,
    parentSpanId,
    name,
    kind,
    startTimeUnixNano,
    endTimeUnixNano,
    attributes,
    events,
    status,
  };
}

function decodeEvent(r: WireReader, end: number, ctx: DecodeContext): SpanEvent {
  let timeUnixNano = '0';
  let name = '';
  const attributes: Attributes = {};
  let attributeCount = 0;
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === EVENT_TIME) timeUnixNano = r.fixed64String();
    else if (tag === EVENT_NAME) name = r.string();
    else if (tag === EVENT_ATTRIBUTES) {
      ctx.checkAttributeCount(++attributeCount);
      decodeKeyValue(r, r.lengthEnd(), attributes, 1, ctx);
    } else r.skip(tag & 7);
  }
  r.expectEnd(end);
  return { name, timeUnixNano, attributes };
}

function decodeStatus(r: WireReader, end: number): { code: number; message: string } {
  let code = 0;
  let message = '';
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === STATUS_MESSAGE) message = r.string();
    else if (tag === STATUS_CODE) code = r.uint32() | 0;
    else r.skip(tag & 7);
  }
  r.expectEnd(end);
  return { code, message };
}

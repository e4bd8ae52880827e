/**
 * The receiver's look at a protobuf export request: every byte checked exactly as the decoder
 * checks it (wire format, nesting, the limits — the same errors for the same bytes), but only
 * what the receiver must answer is kept: per span or log record a thin record with its ids and
 * times and its resource's attributes (shared per resource: the tenant claim). Names, attribute
 * values, bodies and events are walked and not built, so no string of the payload is copied
 * out of the request. The full records are built once, later, by whoever normalizes the request
 * (the normalize worker).
 */
import type { Attributes, DecodedLogRecord, DecodedSpan, Scope } from './records.js';
import type { WireReader } from './wire-reader.js';
import type { DecodeContext } from './decode-context.js';
import { decodeEnvelope } from './decode-proto-envelope.js';

// Tags (field_number << 3 | wire_type), as in the decoders.
const ANY_ARRAY = 0x2a;
const ANY_KVLIST = 0x32;
const KV_VALUE = 0x12;
const LIST_VALUES = 0x0a;
const SPAN_TRACE_ID = 0x0a;
const SPAN_SPAN_ID = 0x12;
const SPAN_START = 0x39;
const SPAN_END = 0x41;
const SPAN_ATTRIBUTES = 0x4a;
const SPAN_EVENTS = 0x5a;
const SPAN_STATUS = 0x7a;
const EVENT_ATTRIBUTES = 0x1a;
const LOG_TIME = 0x09;
const LOG_BODY = 0x2a;
const LOG_ATTRIBUTES = 0x32;
const LOG_OBSERVED_TIME = 0x59;

/** What thin records share instead of their own (empty, frozen: nothing may be added). */
const NO_ATTRIBUTES: Attributes = Object.freeze({}) as Attributes;
const NO_EVENTS = Object.freeze([]) as unknown as DecodedSpan['events'];
const NO_STATUS = Object.freeze({ code: 0, message: '' });

/** An AnyValue in [r.pos, end), walked with the decoder's checks; nothing is built. */
function walkAnyValue(r: WireReader, end: number, depth: number, ctx: DecodeContext): void {
  ctx.checkDepth(depth);
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === ANY_ARRAY) walkArray(r, r.lengthEnd(), depth + 1, ctx);
    else if (tag === ANY_KVLIST) {
      const kvEnd = r.lengthEnd();
      ctx.checkDepth(depth + 1);
      let count = 0;
      while (r.pos < kvEnd) {
        const t = r.tag();
        if (t === LIST_VALUES) {
          ctx.checkAttributeCount(++count);
          walkKeyValue(r, r.lengthEnd(), depth + 1, ctx);
        } else r.skip(t & 7);
      }
      r.expectEnd(kvEnd);
    } else r.skip(tag & 7);
  }
  r.expectEnd(end);
}

function walkArray(r: WireReader, end: number, depth: number, ctx: DecodeContext): void {
  ctx.checkDepth(depth);
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === LIST_VALUES) walkAnyValue(r, r.lengthEnd(), depth, ctx);
    else r.skip(tag & 7);
  }
  r.expectEnd(end);
}

function walkKeyValue(r: WireReader, end: number, depth: number, ctx: DecodeContext): void {
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === KV_VALUE) walkAnyValue(r, r.lengthEnd(), depth, ctx);
    else r.skip(tag & 7);
  }
  r.expectEnd(end);
}

/** A message whose fields are only skipped (a span's status, an event without attributes to count). */
function walkFields(r: WireReader, end: number, attributesTag: number, ctx: DecodeContext): void {
  let attributes = 0;
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === attributesTag) {
      ctx.checkAttributeCount(++attributes);
      walkKeyValue(r, r.lengthEnd(), 1, ctx);
    } else r.skip(tag & 7);
  }
  r.expectEnd(end);
}

function scanSpan(r: WireReader, end: number, resource: Attributes, scope: Scope, ctx: DecodeContext): DecodedSpan {
  let traceId = '';
  let spanId = '';
  let startTimeUnixNano = '0';
  let endTimeUnixNano = '0';
  let attributes = 0;
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === SPAN_TRACE_ID) traceId = r.hex();
    else if (tag === SPAN_SPAN_ID) spanId = r.hex();
    else if (tag === SPAN_START) startTimeUnixNano = r.fixed64String();
    else if (tag === SPAN_END) endTimeUnixNano = r.fixed64String();
    else if (tag === SPAN_ATTRIBUTES) {
      ctx.checkAttributeCount(++attributes);
      walkKeyValue(r, r.lengthEnd(), 1, ctx);
    } else if (tag === SPAN_EVENTS) walkFields(r, r.lengthEnd(), EVENT_ATTRIBUTES, ctx);
    else if (tag === SPAN_STATUS) walkFields(r, r.lengthEnd(), -1, ctx);
    else r.skip(tag & 7);
  }
  r.expectEnd(end);
  return {
    signal: 'traces',
    resource,
    scope,
    traceId,
    spanId,
    parentSpanId: '',
    name: '',
    kind: 0,
    startTimeUnixNano,
    endTimeUnixNano,
    attributes: NO_ATTRIBUTES,
    events: NO_EVENTS,
    status: NO_STATUS,
  };
}

function scanLogRecord(r: WireReader, end: number, resource: Attributes, scope: Scope, ctx: DecodeContext): DecodedLogRecord {
  let timeUnixNano = '0';
  let observedTimeUnixNano = '0';
  let attributes = 0;
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === LOG_TIME) timeUnixNano = r.fixed64String();
    else if (tag === LOG_OBSERVED_TIME) observedTimeUnixNano = r.fixed64String();
    else if (tag === LOG_BODY) walkAnyValue(r, r.lengthEnd(), 1, ctx);
    else if (tag === LOG_ATTRIBUTES) {
      ctx.checkAttributeCount(++attributes);
      walkKeyValue(r, r.lengthEnd(), 1, ctx);
    } else r.skip(tag & 7);
  }
  r.expectEnd(end);
  return {
    signal: 'logs',
    resource,
    scope,
    timeUnixNano,
    observedTimeUnixNano,
    severityNumber: 0,
    severityText: '',
    body: null,
    attributes: NO_ATTRIBUTES,
    traceId: '',
    spanId: '',
    eventName: '',
  };
}

export function scanTracesProto(r: WireReader, ctx: DecodeContext): DecodedSpan[] {
  return decodeEnvelope(r, ctx, (reader, end, resource, scope) => scanSpan(reader, end, resource, scope, ctx));
}

export function scanLogsProto(r: WireReader, ctx: DecodeContext): DecodedLogRecord[] {
  return decodeEnvelope(r, ctx, (reader, end, resource, scope) => scanLogRecord(reader, end, resource, scope, ctx));
}

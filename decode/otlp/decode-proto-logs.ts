/**
 * Protobuf decoding of one OTLP LogRecord into a DecodedLogRecord. Field numbers are those of
 * otlp.proto's LogRecord, including event_name = 12 (the event name Claude Code and Codex put on
 * their tool decisions and results). Flags and dropped counts are read past.
 */
import type { AnyValue, Attributes, DecodedLogRecord, Scope } from './records.js';
import type { WireReader } from './wire-reader.js';
import type { DecodeContext } from './decode-context.js';
import { decodeAnyValue, decodeKeyValue } from './decode-proto-common.js';
import { decodeEnvelope } from './decode-proto-envelope.js';

const LOG_TIME = 0x09; // 1, fixed64
const LOG_SEVERITY_NUMBER = 0x10; // 2, enum
const LOG_SEVERITY_TEXT = 0x1a; // 3, string
const LOG_BODY = 0x2a; // 5, AnyValue
const LOG_ATTRIBUTES = 0x32; // 6, KeyValue
const LOG_TRACE_ID = 0x4a; // 9, bytes
const LOG_SPAN_ID = 0x52; // 10, bytes
const LOG_OBSERVED_TIME = 0x59; // 11, fixed64
const LOG_EVENT_NAME = 0x62; // 12, string

export function decodeLogsProto(r: WireReader, ctx: DecodeContext): DecodedLogRecord[] {
  return decodeEnvelope(r, ctx, (reader, end, resource, scope) => decodeLogRecord(reader, end, resource, scope, ctx));
}

function decodeLogRecord(
  r: WireReader,
  end: number,
  resource: Attributes,
  scope: Scope,
  ctx: DecodeContext,
): DecodedLogRecord {
  let timeUnixNano = '0';
  let observedTimeUnixNano = '0';
  let severityNumber = 0;
  let severityText = '';
  let body: AnyValue = null;
  const attributes: Attributes = {};
  let attributeCount = 0;
  let traceId = '';
  let spanId = '';
  let eventName = '';
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case LOG_TIME:
        timeUnixNano = r.fixed64String();
        break;
      case LOG_OBSERVED_TIME:
        observedTimeUnixNano = r.fixed64String();
        break;
      case LOG_SEVERITY_NUMBER:
        severityNumber = r.uint32() | 0;
        break;
      case LOG_SEVERITY_TEXT:
        severityText = r.string();
        break;
      case LOG_BODY:
        body = decodeAnyValue(r, r.lengthEnd(), 1, ctx);
        break;
      case LOG_ATTRIBUTES:
        ctx.checkAttributeCount(++attributeCount);
        decodeKeyValue(r, r.lengthEnd(), attributes, 1, ctx);
        break;
      case LOG_TRACE_ID:
        traceId = r.hex();
        break;
      case LOG_SPAN_ID:
        spanId = r.hex();
        break;
      case LOG_EVENT_NAME:
        eventName = r.string();
        break;
      default:
        r.skip(tag & 7);
    }
  }
  r.expectEnd(end);
  return {
    signal: 'logs',
    resource,
    scope,
    timeUnixNano,
    observedTimeUnixNano,
    severityNumber,
    severityText,
    body,
    attributes,
    traceId,
    spanId,
    eventName,
  };
}

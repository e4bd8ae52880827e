/**
 * OTLP/JSON decoding of ExportTraceServiceRequest and ExportLogsServiceRequest into flat
 * records. Shape (lowerCamelCase; snake_case accepted):
 *
 *   {"resourceSpans": [{"resource": {"attributes": [...]}, "scopeSpans": [{"scope": {...},
 *     "spans": [{"traceId": "<hex>", "spanId": "<hex>", "startTimeUnixNano": "<decimal>", ...}]}]}]}
 *   {"resourceLogs": [{"resource": ..., "scopeLogs": [{"scope": ..., "logRecords": [{...}]}]}]}
 */
import type { DecodedLogRecord, DecodedSpan, SpanEvent } from './records.js';
import type { DecodeContext } from './decode-context.js';
import { type JsonEnvelopeNames, jsonAnyValue, jsonAttributes, jsonEnvelope } from './decode-json-common.js';
import {
  SEVERITY_NUMBER_NAMES,
  SPAN_KIND_NAMES,
  STATUS_CODE_NAMES,
  enumValue,
  field,
  idValue,
  optArray,
  optObject,
  optString,
  uint64String,
} from './json-fields.js';
import { OtlpErrorCode, otlpError } from './otlp-errors.js';

const TRACE_NAMES: JsonEnvelopeNames = {
  resourceGroups: ['resourceSpans', 'resource_spans'],
  scopeGroups: ['scopeSpans', 'scope_spans'],
  records: ['spans', 'spans'],
};

const LOG_NAMES: JsonEnvelopeNames = {
  resourceGroups: ['resourceLogs', 'resource_logs'],
  scopeGroups: ['scopeLogs', 'scope_logs'],
  records: ['logRecords', 'log_records'],
};

/** Parses the body as UTF-8 JSON (invalid sequences become U+FFFD). */
export function parseJsonBody(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw otlpError(OtlpErrorCode.DECODE_JSON, `invalid JSON: ${(err as Error).message}`, {}, err);
  }
}

export function decodeTracesJson(root: unknown, ctx: DecodeContext): DecodedSpan[] {
  return jsonEnvelope(root, TRACE_NAMES, ctx, (span, path, resource, scope) => {
    const statusObj = optObject(span['status'], `${path}.status`);
    const eventList = optArray(span['events'], `${path}.events`);
    const events: SpanEvent[] = new Array<SpanEvent>(eventList.length);
    for (let i = 0; i < eventList.length; i++) {
      const ePath = `${path}.events[${i}]`;
      const event = optObject(eventList[i], ePath) ?? {};
      events[i] = {
        name: optString(event['name'], `${ePath}.name`),
        timeUnixNano: uint64String(field(event, 'timeUnixNano', 'time_unix_nano'), `${ePath}.timeUnixNano`),
        attributes: jsonAttributes(event, ePath, ctx),
      };
    }
    return {
      signal: 'traces',
      resource,
      scope,
      traceId: idValue(field(span, 'traceId', 'trace_id'), `${path}.traceId`),
      spanId: idValue(field(span, 'spanId', 'span_id'), `${path}.spanId`),
      parentSpanId: idValue(field(span, 'parentSpanId', 'parent_span_id'), `${path}.parentSpanId`),
      name: optString(span['name'], `${path}.name`),
      kind: enumValue(span['kind'], `${path}.kind`, SPAN_KIND_NAMES),
      startTimeUnixNano: uint64String(field(span, 'startTimeUnixNano', 'start_time_unix_nano'), `${path}.startTimeUnixNano`),
      endTimeUnixNano: uint64String(field(span, 'endTimeUnixNano', 'end_time_unix_nano'), `${path}.endTimeUnixNano`),
      attributes: jsonAttributes(span, path, ctx),
      events,
      status: {
        code: statusObj === undefined ? 0 : enumValue(statusObj['code'], `${path}.status.code`, STATUS_CODE_NAMES),
        message: statusObj === undefined ? '' : optString(statusObj['message'], `${path}.status.message`),
      },
    };
  });
}

export function decodeLogsJson(root: unknown, ctx: DecodeContext): DecodedLogRecord[] {
  return jsonEnvelope(root, LOG_NAMES, ctx, (log, path, resource, scope) => ({
    signal: 'logs',
    resource,
    scope,
    timeUnixNano: uint64String(field(log, 'timeUnixNano', 'time_unix_nano'), `${path}.timeUnixNano`),
    observedTimeUnixNano: uint64String(
      field(log, 'observedTimeUnixNano', 'observed_time_unix_nano'),
      `${path}.observedTimeUnixNano`,
    ),
    severityNumber: enumValue(field(log, 'severityNumber', 'severity_number'), `${path}.severityNumber`, SEVERITY_NUMBER_NAMES),
    severityText: optString(field(log, 'severityText', 'severity_text'), `${path}.severityText`),
    body: jsonAnyValue(log['body'], `${path}.body`, 1, ctx),
    attributes: jsonAttributes(log, path, ctx),
    traceId: idValue(field(log, 'traceId', 'trace_id'), `${path}.traceId`),
    spanId: idValue(field(log, 'spanId', 'span_id'), `${path}.spanId`),
    eventName: optString(field(log, 'eventName', 'event_name'), `${path}.eventName`),
  }));
}

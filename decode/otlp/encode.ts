/**
 * encodeOtlp: flat records → one OTLP export request (protobuf or OTLP/JSON). Consecutive
 * records that share a resource object and scope are regrouped under one Resource{Spans,Logs} /
 * Scope{Spans,Logs}, so the order of the records is kept exactly and decoding the output gives
 * the same records back. The receiver uses it to split a request by session before producing to
 * Kafka; tests and benchmarks use it to build payloads.
 */
import type { Encoding } from '../../model/encoding.js';
import type { Signal } from '../../model/message.js';
import type { DecodedLogRecord, DecodedRecord, DecodedSpan, Scope } from './records.js';
import { otlpTypes } from './schema.js';
import { JSON_FORM, type MessageObject, PROTO_FORM, type WireForm, anyValueMessage, keyValueMessages } from './encode-values.js';
import { OtlpErrorCode, otlpError } from './otlp-errors.js';

export function encodeOtlp(signal: Signal, records: DecodedRecord[], encoding: Encoding): Buffer {
  if (signal !== 'traces' && signal !== 'logs') {
    throw otlpError(OtlpErrorCode.UNSUPPORTED_SIGNAL, `unsupported signal ${String(signal)}`);
  }
  if (encoding !== 'otlp_proto' && encoding !== 'otlp_json') {
    throw otlpError(OtlpErrorCode.UNSUPPORTED_ENCODING, `unsupported encoding ${String(encoding)}`);
  }
  const form = encoding === 'otlp_proto' ? PROTO_FORM : JSON_FORM;
  const request = buildRequest(signal, records, form);
  if (encoding === 'otlp_json') return Buffer.from(JSON.stringify(request), 'utf8');
  const type = signal === 'traces' ? otlpTypes.ExportTraceServiceRequest : otlpTypes.ExportLogsServiceRequest;
  const bytes = type.encode(request).finish();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function sameScope(a: Scope, b: Scope): boolean {
  return a === b || (a.name === b.name && a.version === b.version);
}

function buildRequest(signal: Signal, records: DecodedRecord[], form: WireForm): MessageObject {
  const isTraces = signal === 'traces';
  const resourceGroups: MessageObject[] = [];
  let currentResource: DecodedRecord['resource'] | undefined;
  let scopeGroups: MessageObject[] = [];
  let currentScope: Scope | undefined;
  let list: MessageObject[] = [];
  for (const record of records) {
    if (record.signal !== signal) {
      throw otlpError(OtlpErrorCode.ENCODE, `a ${record.signal} record cannot go in a ${signal} request`);
    }
    if (record.resource !== currentResource || currentResource === undefined) {
      currentResource = record.resource;
      currentScope = undefined;
      scopeGroups = [];
      resourceGroups.push({
        resource: { attributes: keyValueMessages(record.resource, form) },
        [isTraces ? 'scopeSpans' : 'scopeLogs']: scopeGroups,
      });
    }
    if (currentScope === undefined || !sameScope(currentScope, record.scope)) {
      currentScope = record.scope;
      list = [];
      scopeGroups.push({
        scope: { name: record.scope.name, version: record.scope.version },
        [isTraces ? 'spans' : 'logRecords']: list,
      });
    }
    list.push(record.signal === 'traces' ? spanMessage(record, form) : logMessage(record, form));
  }
  return { [isTraces ? 'resourceSpans' : 'resourceLogs']: resourceGroups };
}

function spanMessage(span: DecodedSpan, form: WireForm): MessageObject {
  return {
    traceId: form.id(span.traceId, 'traceId'),
    spanId: form.id(span.spanId, 'spanId'),
    parentSpanId: form.id(span.parentSpanId, 'parentSpanId'),
    name: span.name,
    kind: span.kind,
    startTimeUnixNano: form.time(span.startTimeUnixNano, 'startTimeUnixNano'),
    endTimeUnixNano: form.time(span.endTimeUnixNano, 'endTimeUnixNano'),
    attributes: keyValueMessages(span.attributes, form),
    events: span.events.map((event) => ({
      timeUnixNano: form.time(event.timeUnixNano, 'event timeUnixNano'),
      name: event.name,
      attributes: keyValueMessages(event.attributes, form),
    })),
    status: { code: span.status.code, message: span.status.message },
  };
}

function logMessage(log: DecodedLogRecord, form: WireForm): MessageObject {
  const message: MessageObject = {
    timeUnixNano: form.time(log.timeUnixNano, 'timeUnixNano'),
    observedTimeUnixNano: form.time(log.observedTimeUnixNano, 'observedTimeUnixNano'),
    severityNumber: log.severityNumber,
    severityText: log.severityText,
    attributes: keyValueMessages(log.attributes, form),
    traceId: form.id(log.traceId, 'traceId'),
    spanId: form.id(log.spanId, 'spanId'),
    eventName: log.eventName,
  };
  if (log.body !== null) message['body'] = anyValueMessage(log.body, form);
  return message;
}

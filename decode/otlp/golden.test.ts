/**
 * Golden-file tests: payloads written by the real OTel JS serializers (testdata/*.binpb and
 * *.json) decode to the records in testdata/*.golden.json. Protobuf and JSON payloads of the same
 * data must give identical records. `UPDATE_GOLDEN=1` rewrites the fixtures and golden files;
 * the second group of tests checks decoded values against the generator's inputs, so a wrong
 * golden file cannot pass unnoticed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { decodeOtlp } from './decode.js';
import type { DecodedLogRecord, DecodedSpan } from './records.js';
import {
  BASE_TIME,
  GOLDEN_FIXTURES,
  TRACE_ID,
  claudeCodeLogs,
  fromGoldenJson,
  genAiSpans,
  toGoldenJson,
} from './golden-fixtures.js';
import { JsonLogsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';

const testdata = (file: string): URL => new URL(`./testdata/${file}`, import.meta.url);
const UPDATE = process.env.UPDATE_GOLDEN === '1';

for (const fixture of GOLDEN_FIXTURES) {
  test(`golden: ${fixture.name} (protobuf and JSON)`, () => {
    if (UPDATE) {
      const proto = fixture.proto();
      writeFileSync(testdata(`${fixture.name}.binpb`), proto);
      writeFileSync(testdata(`${fixture.name}.json`), `${JSON.stringify(JSON.parse(Buffer.from(fixture.json()).toString('utf8')), null, 2)}\n`);
      writeFileSync(testdata(`${fixture.name}.golden.json`), toGoldenJson(decodeOtlp(fixture.signal, proto, 'otlp_proto')));
    }
    const golden = fromGoldenJson(readFileSync(testdata(`${fixture.name}.golden.json`), 'utf8'));
    const fromProto = decodeOtlp(fixture.signal, readFileSync(testdata(`${fixture.name}.binpb`)), 'otlp_proto');
    const fromJson = decodeOtlp(fixture.signal, readFileSync(testdata(`${fixture.name}.json`)), 'otlp_json');
    assert.deepEqual(fromProto, golden);
    assert.deepEqual(fromJson, golden);
  });
}

function ns(hr: readonly [number, number]): string {
  return (BigInt(hr[0]) * 1_000_000_000n + BigInt(hr[1])).toString();
}

test('GenAI execute_tool span decodes to the values the SDK was given', () => {
  const input = genAiSpans();
  const spans = decodeOtlp('traces', ProtobufTraceSerializer.serializeRequest(input)!, 'otlp_proto') as DecodedSpan[];
  assert.equal(spans.length, input.length);
  assert.equal(ns(BASE_TIME), '1760000000123456789');
  const tool = spans.find((s) => s.name === 'execute_tool Bash');
  assert.ok(tool);
  assert.equal(tool.traceId, TRACE_ID);
  assert.equal(tool.spanId, input[0]!.spanContext().spanId);
  assert.equal(tool.parentSpanId, input[1]!.spanContext().spanId);
  assert.equal(tool.kind, 1);
  assert.equal(tool.startTimeUnixNano, ns(input[0]!.startTime as [number, number]));
  assert.equal(tool.endTimeUnixNano, ns(input[0]!.endTime as [number, number]));
  assert.deepEqual(tool.attributes, { ...input[0]!.attributes });
  assert.equal(tool.attributes['gen_ai.tool.call.arguments'], '{"command":"rm -rf build"}');
  assert.deepEqual(tool.status, { code: 1, message: '' });
  assert.deepEqual(tool.events, [
    { name: 'tool.output', timeUnixNano: ns(input[0]!.events[0]!.time as [number, number]), attributes: { 'output.bytes': 0, 'output.truncated': true } },
  ]);
  assert.deepEqual(tool.scope, { name: 'warden.harness', version: '0.1.0' });
  assert.equal(tool.resource['warden.tenant'], 'acme');
  const agent = spans.find((s) => s.name.startsWith('invoke_agent'));
  assert.ok(agent);
  assert.equal(agent.parentSpanId, '');
  assert.equal(agent.kind, 3);
  assert.deepEqual(agent.status, { code: 2, message: 'tool failed' });
  assert.deepEqual(agent.attributes['warden.scope.allow'], ['/repo/**', 'k8s://dev/*']);
});

test('Claude Code log events decode with event_name, attributes and a structured body', () => {
  const input = claudeCodeLogs();
  const logs = decodeOtlp('logs', JsonLogsSerializer.serializeRequest(input)!, 'otlp_json') as DecodedLogRecord[];
  assert.deepEqual(
    logs.map((l) => l.eventName),
    ['claude_code.tool_decision', 'claude_code.tool_result', 'warden.test.structured_body'],
  );
  const [decision, result, structured] = logs as [DecodedLogRecord, DecodedLogRecord, DecodedLogRecord];
  assert.deepEqual(decision.attributes, input[0]!.attributes);
  assert.equal(decision.attributes['decision'], 'accept');
  assert.equal(decision.timeUnixNano, ns(input[0]!.hrTime as [number, number]));
  assert.equal(decision.observedTimeUnixNano, ns(input[0]!.hrTimeObserved as [number, number]));
  assert.equal(decision.severityNumber, 9);
  assert.equal(decision.severityText, 'INFO');
  assert.equal(decision.traceId, '');
  assert.equal(result.traceId, TRACE_ID);
  assert.equal(result.spanId, '53995c3f42cd8ad8');
  assert.equal(result.attributes['tool_use_id'], 'toolu_01ABC');
  assert.equal(result.resource['service.name'], 'claude-code');
  assert.deepEqual(structured.body, input[2]!.body);
  assert.ok((structured.body as { raw: unknown }).raw instanceof Uint8Array);
});

/**
 * Test helper: the inputs behind the golden files in testdata/. Spans and log records are built
 * as the OTel JS SDK hands them to its exporters (ReadableSpan / ReadableLogRecord) and serialized
 * by the real OTel serializers (@opentelemetry/otlp-transformer), protobuf and JSON. Values are
 * fixed (ids, times), so regenerating gives the same bytes for the same SDK version.
 *
 * Regenerate with `UPDATE_GOLDEN=1 node --import tsx --test decode/otlp/golden.test.ts`.
 */
import {
  JsonLogsSerializer,
  JsonTraceSerializer,
  ProtobufLogsSerializer,
  ProtobufTraceSerializer,
} from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { Signal } from '../../model/message.js';

export type SdkSpan = Parameters<typeof ProtobufTraceSerializer.serializeRequest>[0][number];
export type SdkLogRecord = Parameters<typeof ProtobufLogsSerializer.serializeRequest>[0][number];

export interface GoldenFixture {
  /** File stem in testdata/: `<name>.binpb`, `<name>.json`, `<name>.golden.json`. */
  name: string;
  signal: Signal;
  proto(): Uint8Array;
  json(): Uint8Array;
}

export const TRACE_ID = '5b8efff798038103d269b633813fc60c';
/** 1760000000.123456789 s: as nanoseconds, not a safe JS integer. */
export const BASE_TIME: [number, number] = [1_760_000_000, 123_456_789];

function at(offsetMs: number): [number, number] {
  const nanos = BASE_TIME[1] + offsetMs * 1_000_000;
  return [BASE_TIME[0] + Math.floor(nanos / 1e9), nanos % 1e9];
}

const traceResource = resourceFromAttributes({
  'service.name': 'claude-code',
  'service.version': '2.0.14',
  'warden.tenant': 'acme',
  'session.id': 'sess-7f3a',
});

export function genAiSpans(): SdkSpan[] {
  const scope = { name: 'warden.harness', version: '0.1.0' };
  const agentSpanId = 'eee19b7ec3c1b174';
  const toolSpan: SdkSpan = {
    name: 'execute_tool Bash',
    kind: 0, // INTERNAL in the API's enum (OTLP 1)
    spanContext: () => ({ traceId: TRACE_ID, spanId: '53995c3f42cd8ad8', traceFlags: 1 }),
    parentSpanContext: { traceId: TRACE_ID, spanId: agentSpanId, traceFlags: 1 },
    startTime: at(100),
    endTime: at(350),
    status: { code: 1 },
    attributes: {
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'Bash',
      'gen_ai.tool.call.id': 'toolu_01ABC',
      'gen_ai.tool.call.arguments': '{"command":"rm -rf build"}',
      'session.id': 'sess-7f3a',
      'warden.action.cwd': '/repo',
      'warden.action.targets': ['/repo/build'],
      'process.exit.code': 0,
      'duration.ratio': 0.25,
      'warden.action.dry_run': false,
    },
    links: [{ context: { traceId: TRACE_ID, spanId: agentSpanId, traceFlags: 1 }, attributes: { reason: 'intent' } }],
    events: [{ name: 'tool.output', time: at(300), attributes: { 'output.bytes': 0, 'output.truncated': true } }],
    duration: [0, 250_000_000],
    ended: true,
    resource: traceResource,
    instrumentationScope: scope,
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
  const agentSpan: SdkSpan = {
    ...toolSpan,
    name: 'invoke_agent claude-code',
    kind: 2, // CLIENT (OTLP 3)
    spanContext: () => ({ traceId: TRACE_ID, spanId: agentSpanId, traceFlags: 1 }),
    parentSpanContext: undefined,
    startTime: at(0),
    endTime: at(1_000),
    status: { code: 2, message: 'tool failed' },
    attributes: {
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.agent.name': 'claude-code',
      'session.id': 'sess-7f3a',
      'warden.session.goal': 'fix the build config',
      'warden.scope.allow': ['/repo/**', 'k8s://dev/*'],
      'warden.scope.deny': ['k8s://prod/*'],
    },
    links: [],
    events: [],
  };
  return [toolSpan, agentSpan];
}

const logResource = resourceFromAttributes({
  'service.name': 'claude-code',
  'service.version': '2.0.14',
  'host.arch': 'amd64',
  'os.type': 'linux',
});

export function claudeCodeLogs(): SdkLogRecord[] {
  const scope = { name: 'com.anthropic.claude_code.events', version: '2.0.14' };
  const common = {
    hrTimeObserved: at(5),
    resource: logResource,
    instrumentationScope: scope,
    droppedAttributesCount: 0,
    severityNumber: 9,
    severityText: 'INFO',
  };
  return [
    {
      ...common,
      hrTime: at(0),
      eventName: 'claude_code.tool_decision',
      body: 'claude_code.tool_decision',
      attributes: {
        'event.name': 'tool_decision',
        'event.timestamp': '2025-10-09T08:53:20.123Z',
        'session.id': 'sess-7f3a',
        'user.id': 'u-42',
        tool_name: 'Bash',
        decision: 'accept',
        source: 'config',
        tool_use_id: 'toolu_01ABC',
      },
    },
    {
      ...common,
      hrTime: at(260),
      eventName: 'claude_code.tool_result',
      body: 'claude_code.tool_result',
      spanContext: { traceId: TRACE_ID, spanId: '53995c3f42cd8ad8', traceFlags: 1 },
      attributes: {
        'event.name': 'tool_result',
        'session.id': 'sess-7f3a',
        tool_name: 'Bash',
        success: 'true',
        duration_ms: '250',
        tool_use_id: 'toolu_01ABC',
        tool_parameters: '{"bash_command":"rm","full_command":"rm -rf build"}',
      },
    },
    {
      ...common,
      hrTime: at(400),
      severityNumber: 17,
      severityText: 'ERROR',
      eventName: 'warden.test.structured_body',
      body: {
        command: 'kubectl delete ns staging',
        argv: ['kubectl', 'delete', 'ns', 'staging'],
        nested: { exit: 1, ratio: 1.5, ok: false, nothing: null },
        raw: new Uint8Array([0, 1, 2, 253, 254, 255]),
      },
      attributes: { 'session.id': 'sess-7f3a' },
    },
  ];
}

export const GOLDEN_FIXTURES: GoldenFixture[] = [
  {
    name: 'traces_genai_execute_tool',
    signal: 'traces',
    proto: () => ProtobufTraceSerializer.serializeRequest(genAiSpans())!,
    json: () => JsonTraceSerializer.serializeRequest(genAiSpans())!,
  },
  {
    name: 'logs_claude_code',
    signal: 'logs',
    proto: () => ProtobufLogsSerializer.serializeRequest(claudeCodeLogs())!,
    json: () => JsonLogsSerializer.serializeRequest(claudeCodeLogs())!,
  },
];

/** Records as golden JSON: Uint8Array values become `{"$base64": "…"}`. */
export function toGoldenJson(value: unknown): string {
  return `${JSON.stringify(
    value,
    (_key, v: unknown) => (v instanceof Uint8Array ? { $base64: Buffer.from(v).toString('base64') } : v),
    2,
  )}\n`;
}

export function fromGoldenJson(text: string): unknown {
  return JSON.parse(text, (_key, v: unknown) => {
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
      const keys = Object.keys(v);
      const encoded = (v as { $base64?: unknown }).$base64;
      if (keys.length === 1 && typeof encoded === 'string') return new Uint8Array(Buffer.from(encoded, 'base64'));
    }
    return v;
  });
}

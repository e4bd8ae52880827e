/**
 * The OpenTelemetry Collector configs in this folder: each parses as YAML with what the Collector
 * requires (receivers, exporters and pipelines, every pipeline's components defined, an OTLP
 * receiver with a protocol); `otelcol.yaml` sends what Warden's OTLP/HTTP receiver takes — fed
 * here exactly as its otlphttp exporter sends it (protobuf, gzip, the configured authorization
 * header, `endpoint` + /v1/traces and /v1/logs) to a running Warden, which stores it; and
 * `otelcol-kafka.yaml` writes the topics, encoding and codec Warden's consumer reads by default
 * (the Collector's message format itself — export requests without a content-type header, each
 * codec — is consumed end to end in test/e2e/kafka-codecs.test.ts).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { gzipSync } from 'node:zlib';
import { parse } from 'yaml';
import { startTestWarden, type TestWarden } from '../../test/helpers/test-warden.js';
import { waitFor } from '../../test/helpers/wait-for.js';
import { decodeOtlp, encodeOtlp } from '../../decode/otlp/index.js';
import type { DecodedLogRecord, DecodedSpan } from '../../decode/otlp/records.js';
import { SETTING_DEFAULTS } from '../../config/settings.js';
import { COMPRESSIONS } from '../../receive/kafka/codecs.js';

type Config = {
  receivers: Record<string, { protocols?: Record<string, { endpoint?: string }> }>;
  processors?: Record<string, unknown>;
  exporters: Record<string, Record<string, unknown>>;
  service: { pipelines: Record<string, { receivers: string[]; processors?: string[]; exporters: string[] }> };
};

const read = (name: string, env: Record<string, string> = {}): Config =>
  parse(fs.readFileSync(new URL(name, import.meta.url), 'utf8').replace(/\$\{env:(\w+)\}/g, (all, v: string) => env[v] ?? all)) as Config;

const INGEST_TOKEN = 'wdn_test_collector_ingest_000';
let warden: TestWarden;

before(async () => {
  warden = await startTestWarden({}, { tokens: [
    { name: 'collector', token: INGEST_TOKEN, tenant: 'default', roles: ['ingest'] },
    { name: 'reader', token: 'wdn_test_collector_reader_000', tenant: 'default', roles: ['read'] },
  ] });
});
after(async () => warden.cleanup());

for (const name of ['otelcol.yaml', 'otelcol-kafka.yaml']) {
  test(`${name}: well-formed, every pipeline's components defined`, () => {
    const config = read(name);
    for (const key of ['receivers', 'exporters', 'service'] as const) assert.ok(config[key], `${key} missing`);
    assert.ok(Object.keys(config.receivers.otlp?.protocols ?? {}).length > 0, 'the OTLP receiver needs a protocol');
    const pipelines = Object.entries(config.service.pipelines);
    assert.deepEqual(pipelines.map(([signal]) => signal).sort(), ['logs', 'traces']);
    for (const [signal, p] of pipelines) {
      assert.ok(p.receivers.length > 0 && p.exporters.length > 0, `${signal}: receivers and exporters`);
      for (const r of p.receivers) assert.ok(Object.hasOwn(config.receivers, r), `${signal}: receiver ${r} not defined`);
      for (const e of p.exporters) assert.ok(Object.hasOwn(config.exporters, e), `${signal}: exporter ${e} not defined`);
      for (const q of p.processors ?? []) assert.ok(Object.hasOwn(config.processors ?? {}, q), `${signal}: processor ${q} not defined`);
    }
  });
}

test('otelcol.yaml: what its otlphttp exporter sends is taken and stored by Warden', async () => {
  const config = read('otelcol.yaml', { WARDEN_URL: warden.url, WARDEN_TOKEN: INGEST_TOKEN });
  const exporter = config.exporters['otlphttp/warden']!;
  assert.equal(exporter.encoding, 'proto');
  const headers = { ...(exporter.headers as Record<string, string>), 'content-type': 'application/x-protobuf' };
  const compress = exporter.compression === 'gzip';
  if (compress) Object.assign(headers, { 'content-encoding': 'gzip' });
  const endpoint = String(exporter.endpoint);
  const now = (BigInt(Date.now()) * 1_000_000n).toString();
  const session = 'collector-1';

  const span: DecodedSpan = {
    signal: 'traces',
    resource: { 'service.name': 'python-agent' },
    scope: { name: 'opentelemetry.instrumentation.genai', version: '1' },
    traceId: 'a1'.repeat(16),
    spanId: 'b2'.repeat(8),
    parentSpanId: '',
    name: 'execute_tool run_shell',
    kind: 1,
    startTimeUnixNano: now,
    endTimeUnixNano: now,
    attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'Bash', 'gen_ai.conversation.id': session, 'gen_ai.tool.call.arguments': JSON.stringify({ command: 'rm -rf /srv/data' }) },
    events: [],
    status: { code: 0, message: '' },
  };
  const log: DecodedLogRecord = {
    signal: 'logs',
    resource: { 'service.name': 'python-agent' },
    scope: { name: 'agent', version: '1' },
    timeUnixNano: now,
    observedTimeUnixNano: now,
    severityNumber: 9,
    severityText: 'INFO',
    body: null,
    attributes: { 'session.id': session, 'warden.session.goal': 'Tidy the build output' },
    traceId: '',
    spanId: '',
    eventName: 'warden.session.start',
  };
  for (const [signal, record] of [['traces', span], ['logs', log]] as const) {
    const body = encodeOtlp(signal, [record], 'otlp_proto');
    const res = await fetch(`${endpoint}/v1/${signal}`, { method: 'POST', headers, body: compress ? gzipSync(body) : body });
    assert.equal(res.status, 200, `${signal}: ${await res.text()}`);
  }
  type Item = { kind: string; execution?: { command: string; destructive: boolean } | null; event?: { goal: string } };
  const timeline = await waitFor(
    async () => (await (await fetch(`${warden.url}/api/v1/sessions/${session}/timeline`, { headers: { authorization: 'Bearer wdn_test_collector_reader_000' } })).json()) as { items?: Item[] },
    (t) => (t.items?.length ?? 0) >= 2,
    { what: 'the span and the log in the trail' },
  );
  const execution = timeline.items!.find((i) => i.execution)?.execution;
  assert.equal(execution?.command, 'rm -rf /srv/data');
  assert.equal(execution?.destructive, true);
  assert.ok(timeline.items!.some((i) => i.event?.goal === 'Tidy the build output'));
});

test("otelcol-kafka.yaml: the topics, encoding and codec Warden's consumer reads", () => {
  const exporter = read('otelcol-kafka.yaml').exporters['kafka/warden']! as {
    traces: { topic: string; encoding: string };
    logs: { topic: string; encoding: string };
    producer: { compression: string };
    protocol_version: string;
    brokers: string[];
  };
  assert.equal(exporter.traces.topic, SETTING_DEFAULTS.KAFKA_TOPIC_SPANS);
  assert.equal(exporter.logs.topic, SETTING_DEFAULTS.KAFKA_TOPIC_LOGS);
  assert.equal(exporter.traces.encoding, SETTING_DEFAULTS.KAFKA_ENCODING_SPANS);
  assert.equal(exporter.logs.encoding, SETTING_DEFAULTS.KAFKA_ENCODING_LOGS);
  assert.ok((COMPRESSIONS as readonly string[]).includes(exporter.producer.compression), exporter.producer.compression);
  assert.match(exporter.protocol_version, /^\d+\.\d+\.\d+$/);
  assert.equal(exporter.brokers.length, 1);
  // A message in that encoding is an export request Warden's decoder reads as such.
  const now = (BigInt(Date.now()) * 1_000_000n).toString();
  const span: DecodedSpan = {
    signal: 'traces', resource: { 'service.name': 'a' }, scope: { name: 's', version: '1' }, traceId: '01'.repeat(16), spanId: '02'.repeat(8),
    parentSpanId: '', name: 'execute_tool', kind: 1, startTimeUnixNano: now, endTimeUnixNano: now, attributes: { 'gen_ai.tool.name': 'Bash' }, events: [], status: { code: 0, message: '' },
  };
  const encoding = exporter.traces.encoding as 'otlp_proto';
  const [decoded] = decodeOtlp('traces', encodeOtlp('traces', [span], encoding), encoding);
  assert.equal((decoded as DecodedSpan).attributes['gen_ai.tool.name'], 'Bash');
});

/**
 * OTLP/gRPC in distributed mode, through main's wiring: the official gRPC span exporter → Warden's
 * gRPC receiver → Kafka (librdkafka's mock cluster), keyed by session → Warden's consumer →
 * ClickHouse. The same path OTLP/HTTP takes, from a different door.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { kafkaMockAvailable, startKafkaMock, type RunningKafka } from '../../test/infra/kafka-mock.js';
import { startTestWarden, type TestWarden } from '../../test/helpers/test-warden.js';
import { waitFor } from '../../test/helpers/wait-for.js';

const mock = kafkaMockAvailable();
let kafka: RunningKafka;
let warden: TestWarden;

before(async () => {
  if (!mock.available) return;
  kafka = await startKafkaMock({
    topics: [
      { name: 'otlp_spans', partitions: 2 },
      { name: 'otlp_logs', partitions: 2 },
      { name: 'warden_dead_letter', partitions: 1 },
    ],
  });
  warden = await startTestWarden({ KAFKA_BROKERS: kafka.bootstrap, KAFKA_IDEMPOTENT: 'false' });
});
after(async () => {
  await warden?.cleanup();
  await kafka?.stop();
});

test('spans exported over OTLP/gRPC go through Kafka into ClickHouse', { skip: !mock.available && mock.reason }, async () => {
  assert.equal(warden.config.mode, 'distributed');
  assert.ok(warden.grpc);
  const exporter = new OTLPTraceExporter({ url: `http://${warden.grpc.address}` });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'coding-agent', 'session.id': 'grpc-dist-1' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('grpc-distributed');
  for (const command of ['kubectl delete namespace staging', 'git status']) {
    tracer
      .startSpan('execute_tool Bash', {
        attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'Bash', 'gen_ai.tool.call.arguments': JSON.stringify({ command }) },
      })
      .end();
  }
  await provider.forceFlush();
  await provider.shutdown();

  const rows = await waitFor(
    async () => {
      const result = await warden.storage.client.query({
        query: "SELECT command, destructive FROM audit_events WHERE session_id = 'grpc-dist-1' ORDER BY command",
        format: 'JSONEachRow',
      });
      return result.json<{ command: string; destructive: boolean }>();
    },
    (r) => r.length === 2,
    { what: 'both spans through Kafka in ClickHouse' },
  );
  assert.deepEqual(rows, [
    { command: 'git status', destructive: false },
    { command: 'kubectl delete namespace staging', destructive: true },
  ]);
});

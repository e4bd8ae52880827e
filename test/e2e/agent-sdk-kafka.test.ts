/**
 * The harness package's Kafka path, on librdkafka's mock cluster with a Warden in distributed mode
 * (the same assembly as `warden start` with KAFKA_BROKERS): a kafkajs producer the harness made is
 * handed to `createWarden` and to `WardenSpanExporter`; the declaration, an execution and a
 * framework's tool span are produced to Warden's topics as OTLP/JSON, each message keyed by its
 * session, and Warden consumes and stores them under that session. Gate calls still go over HTTP.
 * The messages are read from the producer's own `send` calls (the real producer, observed).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import kafkajs from 'kafkajs';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createWarden, WardenSpanExporter, type KafkaProducerLike } from '../../harness/agent-sdk/src/index.js';
import { kafkaMockAvailable, startKafkaMock, type RunningKafka } from '../infra/kafka-mock.js';
import { startTestWarden, type TestWarden } from '../helpers/test-warden.js';
import { waitFor } from '../helpers/wait-for.js';

const { Kafka, logLevel } = kafkajs;
const TOKEN = 'wdn_test_agent_sdk_kafka_00000';
const mock = kafkaMockAvailable();
let kafka: RunningKafka | undefined;
let warden: TestWarden | undefined;

before(async () => {
  if (!mock.available) {
    console.log(`# SKIPPED: no Kafka mock cluster here (${mock.reason})`);
    return;
  }
  kafka = await startKafkaMock({
    topics: [
      { name: 'otlp_spans', partitions: 4 },
      { name: 'otlp_logs', partitions: 4 },
      { name: 'warden_dead_letter', partitions: 1 },
      { name: 'warden_revocations', partitions: 1 },
    ],
  });
  warden = await startTestWarden({ KAFKA_BROKERS: kafka.bootstrap, KAFKA_IDEMPOTENT: 'false' }, { tokens: [{ name: 'agent', token: TOKEN, tenant: 'default', roles: ['ingest'] }] });
});

after(async () => {
  await warden?.cleanup();
  await kafka?.stop();
});

test('declaration, executions and exported spans go to Kafka keyed by session and are stored under it', { skip: !mock.available && mock.reason, timeout: 180_000 }, async () => {
  const w = warden!;
  const producer = new Kafka({ brokers: [kafka!.bootstrap], logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  const sent: Array<{ topic: string; key: string | null; contentType: string }> = [];
  const observed: KafkaProducerLike = {
    send: async (record) => {
      for (const m of record.messages) sent.push({ topic: record.topic, key: m.key, contentType: m.headers?.['content-type'] ?? '' });
      return producer.send(record);
    },
  };
  try {
    const client = createWarden({ url: w.url, token: TOKEN, session: { agent: 'kafka-agent', goal: 'List the repository', environment: 'dev' }, kafka: { producer: observed } });
    assert.equal(await client.declared(), true);
    const answer = await client.gate({ tool: 'shell', command: 'ls -la', cwd: '/srv/repo' });
    assert.equal(answer.decision, 'allow', answer.reason);
    assert.deepEqual(await client.executed({ toolCallId: answer.toolCallId, exitCode: 0, output: 'README.md', durationMs: 4 }), { delivered: true });

    const exporter = new WardenSpanExporter({ kafka: { producer: observed }, sessionId: client.sessionId });
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    provider.getTracer('framework').startSpan('execute_tool grep', { attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'grep', 'gen_ai.tool.call.id': 'kafka-fw-1', 'gen_ai.tool.call.arguments': '{"command":"grep -r TODO ."}' } }).end();
    await provider.forceFlush();

    assert.deepEqual(
      sent.map((m) => [m.topic, m.key, m.contentType]),
      [
        ['otlp_logs', client.sessionId, 'application/json'],
        ['otlp_spans', client.sessionId, 'application/json'],
        ['otlp_spans', client.sessionId, 'application/json'],
      ],
    );
    const rs = async () => {
      const result = await w.storage.client.query({
        query: `SELECT phase, tool_call_id, command, goal FROM ${w.storage.database}.audit_events FINAL WHERE session_id = {s:String} ORDER BY time`,
        query_params: { s: client.sessionId },
        format: 'JSONEachRow',
      });
      return (await result.json()) as Array<{ phase: string; tool_call_id: string; command: string; goal: string }>;
    };
    const stored = await waitFor(rs, (events) => events.length >= 4, { timeoutMs: 60_000, what: 'the Kafka records stored' });
    assert.equal(stored.find((e) => e.phase === 'session')?.goal, 'List the repository');
    assert.equal(stored.filter((e) => e.tool_call_id === answer.toolCallId).map((e) => e.phase).sort().join(','), 'execution,intent');
    assert.equal(stored.find((e) => e.tool_call_id === 'kafka-fw-1')?.command, 'grep -r TODO .');
    await client.close();
    await provider.shutdown();
  } finally {
    await producer.disconnect();
  }
});

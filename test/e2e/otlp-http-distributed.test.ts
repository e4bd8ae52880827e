/**
 * End to end, distributed mode, through main's wiring: OTLP/HTTP → Warden's receiver → Kafka
 * (librdkafka's mock cluster) → Warden's consumer → ClickHouse, and back out through the
 * operator query API.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { kafkaMockAvailable, startKafkaMock, type RunningKafka } from '../infra/kafka-mock.js';
import { startTestWarden, type TestWarden } from '../helpers/test-warden.js';
import { waitFor } from '../helpers/wait-for.js';
import { encodeOtlp } from '../../decode/otlp/index.js';

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

test('OTLP/HTTP logs go through Kafka into ClickHouse and are readable through the query API', { skip: !mock.available && mock.reason }, async () => {
  assert.equal(warden.config.mode, 'distributed');
  const now = (BigInt(Date.now()) * 1_000_000n).toString();
  const body = encodeOtlp(
    'logs',
    [
      {
        signal: 'logs',
        resource: { 'service.name': 'claude-code', 'session.id': 'dist-1' },
        scope: { name: 'com.anthropic.claude_code.events', version: '2.0.0' },
        timeUnixNano: now,
        observedTimeUnixNano: now,
        severityNumber: 9,
        severityText: 'INFO',
        body: 'claude_code.tool_result',
        attributes: {
          'event.name': 'tool_result',
          'session.id': 'dist-1',
          tool_name: 'Bash',
          success: 'true',
          tool_parameters: JSON.stringify({ bash_command: 'kubectl', full_command: 'kubectl delete namespace staging' }),
        },
        traceId: '',
        spanId: '',
        eventName: 'claude_code.tool_result',
      },
    ],
    'otlp_proto',
  );
  const res = await fetch(`${warden.url}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body });
  assert.equal(res.status, 200);

  const token = warden.createdToken!.token;
  const query = async () => {
    const answer = await fetch(`${warden.url}/api/v1/query`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ sql: "SELECT session_id, tool, phase, action_class, destructive, targets FROM audit_events WHERE session_id = 'dist-1'" }),
    });
    return ((await answer.json()) as { rows: Array<Record<string, unknown>> }).rows;
  };
  const rows = await waitFor(query, (r) => r.length === 1, { timeoutMs: 60_000, what: 'the log record in ClickHouse' });
  assert.equal(rows[0]!.tool, 'Bash');
  assert.equal(rows[0]!.phase, 'execution');
  assert.equal(rows[0]!.destructive, true);
  assert.deepEqual(rows[0]!.targets, ['k8s://current/staging']);

  const write = await fetch(`${warden.url}/api/v1/query`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ sql: 'DROP TABLE audit_events' }),
  });
  assert.equal(write.status, 400);
  const ready = await fetch(`${warden.url}/readyz`);
  assert.equal(ready.status, 200);
});

/**
 * End to end, embedded mode, through the official OpenTelemetry exporter: spans exported with
 * `@opentelemetry/exporter-trace-otlp-proto` to a real Warden (embedded ClickHouse, in-process
 * queue) are stored, classified and redacted, and readable through ClickHouse.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { startTestWarden, type TestWarden } from '../helpers/test-warden.js';
import { waitFor } from '../helpers/wait-for.js';

let warden: TestWarden;
before(async () => {
  warden = await startTestWarden();
});
after(async () => {
  await warden?.cleanup();
});

async function rowsOf(sessionId: string): Promise<Record<string, unknown>[]> {
  const result = await warden.storage.client.query({
    query: 'SELECT * FROM audit_events WHERE session_id = {s:String} ORDER BY time',
    query_params: { s: sessionId },
    format: 'JSONEachRow',
  });
  return result.json();
}

function exportSpans(sessionId: string, spans: Array<{ name: string; attributes: Record<string, string | string[]> }>): Promise<void> {
  const exporter = new OTLPTraceExporter({ url: `${warden.url}/v1/traces` });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'coding-agent', 'session.id': sessionId }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('e2e');
  for (const spec of spans) tracer.startSpan(spec.name, { attributes: spec.attributes }).end();
  return provider.forceFlush().then(() => provider.shutdown());
}

test('a span from the official OTLP/proto exporter is stored, classified and queryable', async () => {
  const started = Date.now();
  await exportSpans('e2e-session-1', [
    {
      name: 'execute_tool Bash',
      attributes: {
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': 'Bash',
        'gen_ai.tool.call.id': 'toolu_01',
        'gen_ai.tool.call.arguments': JSON.stringify({ command: 'git push --force origin main' }),
        'warden.action.cwd': '/repo',
      },
    },
  ]);
  const rows = await waitFor(() => rowsOf('e2e-session-1'), (r) => r.length === 1, { what: 'the exported span in ClickHouse' });
  console.log(`# exported span readable in ClickHouse after ${Date.now() - started} ms`);
  const row = rows[0]!;
  assert.equal(row.tool, 'Bash');
  assert.equal(row.tool_call_id, 'toolu_01');
  assert.equal(row.phase, 'execution');
  assert.equal(row.agent_id, 'coding-agent');
  assert.equal(row.command, 'git push --force origin main');
  assert.equal(row.destructive, true);
  assert.ok((row.targets as string[]).includes('git://origin/refs/heads/main'), JSON.stringify(row.targets));
});

test('secrets planted in a command, an attribute and a URL never reach ClickHouse', async () => {
  const awsSecret = ['wJalrXUtnFEMI', 'K7MDENG', 'bPxRfiCYEXAMPLEKEY'].join('/');
  const githubToken = 'ghp_' + 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8';
  const urlPassword = 'Tr0ub4dor' + '-and-3';
  await exportSpans('e2e-session-secrets', [
    {
      name: 'execute_tool Bash',
      attributes: {
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': 'Bash',
        'gen_ai.tool.call.arguments': JSON.stringify({ command: `AWS_SECRET_ACCESS_KEY=${awsSecret} aws s3 rm s3://backups --recursive` }),
        'deploy.github_token': githubToken,
        'warden.action.targets': [`postgres://admin:${urlPassword}@db.internal:5432/orders`],
      },
    },
  ]);
  const rows = await waitFor(() => rowsOf('e2e-session-secrets'), (r) => r.length === 1, { what: 'the span with secrets' });
  const stored = JSON.stringify(rows);
  for (const secret of [awsSecret, githubToken, urlPassword]) {
    assert.ok(!stored.includes(secret), `secret ${secret.slice(0, 6)}… reached ClickHouse`);
  }
  assert.match(stored, /\[REDACTED:[a-z_]+\]/);
  assert.ok(Number(rows[0]!.redactions) >= 3, `redactions = ${String(rows[0]!.redactions)}`);
});

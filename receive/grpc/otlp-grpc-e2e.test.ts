/**
 * End to end over OTLP/gRPC with the official OpenTelemetry exporters
 * (`@opentelemetry/exporter-trace-otlp-grpc`, `@opentelemetry/exporter-logs-otlp-grpc`, gzip) to
 * a real Warden (embedded ClickHouse, in-process queue, ingest token required): spans and logs
 * are stored with their session and the token's tenant; an export without a token is refused
 * UNAUTHENTICATED and stores nothing; a destructive burst over gRPC is detected as the same burst
 * over OTLP/HTTP is.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Metadata, status as GrpcCode } from '@grpc/grpc-js';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { BasicTracerProvider, SimpleSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { encodeOtlp } from '../../decode/otlp/index.js';
import { startTestWarden, type TestWarden } from '../../test/helpers/test-warden.js';
import { toolSpan } from '../../test/helpers/tool-span.js';
import { waitFor } from '../../test/helpers/wait-for.js';

const INGEST = 'grpc-e2e-ingest-token-0123456789';
const ADMIN = 'grpc-e2e-admin-token-0123456789';
type Compression = NonNullable<NonNullable<ConstructorParameters<typeof OTLPTraceExporter>[0]>['compression']>;
const GZIP = 'gzip' as Compression;
/** An exporter's result, as `@opentelemetry/core` defines it (`ExportResultCode`: 0 success, 1 failed). */
interface ExportResult {
  code: number;
  error?: Error;
}
const SUCCESS = 0;
const FAILED = 1;

let warden: TestWarden;
before(async () => {
  warden = await startTestWarden(
    { WARDEN_INGEST_REQUIRE_TOKEN: 'true' },
    {
      tokens: [
        { name: 'agent', token: INGEST, tenant: 'acme', roles: ['ingest'] },
        { name: 'operator', token: ADMIN, tenant: 'acme', roles: ['admin'] },
      ],
    },
  );
});
after(async () => {
  await warden?.cleanup();
});

function grpcUrl(): string {
  assert.ok(warden.grpc, 'the OTLP/gRPC receiver is on');
  return `http://${warden.grpc.address}`;
}

function authorized(token: string | null): Metadata {
  const metadata = new Metadata();
  if (token !== null) metadata.set('authorization', `Bearer ${token}`);
  return metadata;
}

/** The official exporter, with every export's result recorded. */
function recordingExporter(token: string | null): { exporter: SpanExporter; results: ExportResult[] } {
  const inner = new OTLPTraceExporter({ url: grpcUrl(), compression: GZIP, metadata: authorized(token) });
  const results: ExportResult[] = [];
  const exporter: SpanExporter = {
    export: (spans: ReadableSpan[], done: (result: ExportResult) => void) =>
      inner.export(spans, (result) => {
        results.push(result);
        done(result);
      }),
    shutdown: () => inner.shutdown(),
    forceFlush: () => inner.forceFlush(),
  };
  return { exporter, results };
}

async function exportSpans(sessionId: string, commands: string[], token: string | null = INGEST): Promise<ExportResult[]> {
  const { exporter, results } = recordingExporter(token);
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'coding-agent', 'session.id': sessionId }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('grpc-e2e');
  for (const command of commands) {
    tracer
      .startSpan('execute_tool Bash', {
        attributes: {
          'gen_ai.operation.name': 'execute_tool',
          'gen_ai.tool.name': 'Bash',
          'gen_ai.tool.call.arguments': JSON.stringify({ command }),
          'warden.action.cwd': '/home/dev/repo',
        },
      })
      .end();
  }
  // A failed export rejects the flush; what each export answered is in `results`.
  await provider.forceFlush().catch(() => undefined);
  await provider.shutdown();
  return results;
}

async function rowsOf(sessionId: string): Promise<Record<string, unknown>[]> {
  const result = await warden.storage.client.query({
    query: 'SELECT * FROM audit_events WHERE session_id = {s:String} ORDER BY time',
    query_params: { s: sessionId },
    format: 'JSONEachRow',
  });
  return result.json();
}

async function detectorsOf(sessionId: string): Promise<string[]> {
  const result = await warden.storage.client.query({
    query: 'SELECT DISTINCT detector FROM findings WHERE session_id = {s:String} ORDER BY detector',
    query_params: { s: sessionId },
    format: 'JSONEachRow',
  });
  return (await result.json<{ detector: string }>()).map((r) => r.detector);
}

test('spans from the official OTLP/gRPC exporter (gzip) are stored with their session and the token\'s tenant', async () => {
  const started = Date.now();
  const results = await exportSpans('grpc-e2e-spans', ['git push --force origin main']);
  console.log(`# gRPC export answered after ${Date.now() - started} ms`);
  assert.deepEqual(
    results.map((r) => r.code),
    [SUCCESS],
  );
  const rows = await waitFor(() => rowsOf('grpc-e2e-spans'), (r) => r.length === 1, { what: 'the span exported over gRPC in ClickHouse' });
  console.log(`# exported span readable in ClickHouse after ${Date.now() - started} ms`);
  const row = rows[0]!;
  assert.equal(row.tenant, 'acme');
  assert.equal(row.tool, 'Bash');
  assert.equal(row.command, 'git push --force origin main');
  assert.equal(row.destructive, true);
});

test('logs from the official OTLP/gRPC log exporter (gzip) are stored with their session', async () => {
  const exporter = new OTLPLogExporter({ url: grpcUrl(), compression: GZIP, metadata: authorized(INGEST) });
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': 'claude-code', 'service.version': '2.0.14' }),
    processors: [new SimpleLogRecordProcessor({ exporter })],
  });
  provider.getLogger('com.anthropic.claude_code.events', '2.0.14').emit({
    eventName: 'claude_code.tool_result',
    body: 'claude_code.tool_result',
    severityNumber: 9,
    severityText: 'INFO',
    attributes: {
      'event.name': 'tool_result',
      'session.id': 'grpc-e2e-logs',
      tool_name: 'Bash',
      success: 'true',
      duration_ms: '250',
      tool_use_id: 'toolu_grpc_01',
      tool_parameters: JSON.stringify({ bash_command: 'rm', full_command: 'rm -rf build' }),
    },
  });
  await provider.forceFlush();
  await provider.shutdown();
  const rows = await waitFor(() => rowsOf('grpc-e2e-logs'), (r) => r.length === 1, { what: 'the log record exported over gRPC in ClickHouse' });
  const row = rows[0]!;
  assert.equal(row.tenant, 'acme');
  assert.equal(row.agent_id, 'claude-code');
  assert.equal(row.tool, 'Bash');
  assert.equal(row.command, 'rm -rf build');
});

test('an export without a token is refused UNAUTHENTICATED and nothing is stored', async () => {
  const results = await exportSpans('grpc-e2e-no-token', ['ls'], null);
  assert.equal(results.length, 1);
  assert.equal(results[0]!.code, FAILED);
  assert.equal((results[0]!.error as { code?: number } | undefined)?.code, GrpcCode.UNAUTHENTICATED, String(results[0]!.error));
  // A later export of the same agent with its token is stored: the refused one never was.
  await exportSpans('grpc-e2e-no-token', ['pwd']);
  const rows = await waitFor(() => rowsOf('grpc-e2e-no-token'), (r) => r.length >= 1, { what: 'the authorized export' });
  assert.deepEqual(
    rows.map((r) => r.command),
    ['pwd'],
  );
});

test('a destructive burst over gRPC is detected as the same burst over OTLP/HTTP: revoked, with the same findings', async () => {
  const burst = ['/var/lib/postgresql', '/srv/backups', '/home/dev/.ssh', '/etc/nginx', '/opt/data'].map((dir) => `rm -rf ${dir}`);
  const results = await exportSpans('grpc-burst', burst);
  assert.ok(results.every((r) => r.code === SUCCESS));
  for (const command of burst) {
    const res = await fetch(`${warden.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf', authorization: `Bearer ${INGEST}` },
      body: encodeOtlp('traces', [toolSpan('http-burst', command)], 'otlp_proto'),
    });
    assert.equal(res.status, 200);
  }
  for (const session of ['grpc-burst', 'http-burst']) {
    await waitFor(async () => warden.detection.registry.get('acme', session)?.state, (state) => state === 'revoked', { what: `${session} revoked` });
  }
  // Findings are written in the background: wait for each session's to be stored in full (a burst
  // of five wide deletes raises all three detectors over either path) before comparing them.
  const complete = (d: string[]): boolean => ['destructive_burst', 'post_revocation_activity', 'scope_drift'].every((name) => d.includes(name));
  const overGrpc = await waitFor(() => detectorsOf('grpc-burst'), complete, { what: 'findings of the gRPC burst' });
  const overHttp = await waitFor(() => detectorsOf('http-burst'), complete, { what: 'findings of the HTTP burst' });
  assert.deepEqual(overGrpc, overHttp);
});

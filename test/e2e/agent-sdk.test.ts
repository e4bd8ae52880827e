/**
 * The harness package (`harness/agent-sdk/`, its TypeScript source through tsx) against a real
 * Warden (the same assembly as `warden start`, default policy — the one the incident replays run
 * under), over real HTTP with an ingest token:
 *
 * - the README's example agent loop on its incident task (a migration fixed on production): the
 *   `DROP TABLE orders CASCADE` step is denied before it runs and the tool runner never sees it;
 *   the steps before it are allowed, run, and their executions are stored under the session with
 *   the tool-call ids the gate saw; the declaration (goal, environment) is stored once;
 * - an operator's revocation reaches the watcher, which calls onRevoked once, and the loop stops;
 * - Warden unreachable: `failMode: 'closed'` denies saying so, `'open'` allows saying so, and an
 *   execution that could not be delivered is kept, then delivered by flush() once Warden is back;
 * - the OpenTelemetry exporters (sdk-trace-base 2.x, sdk-logs) deliver a framework's tool span and
 *   a log record, filed under the exporter's session.
 */
import assert from 'node:assert/strict';
import { connect, createServer, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { createWarden, WardenLogRecordExporter, WardenSpanExporter, type WardenError } from '../../harness/agent-sdk/src/index.js';
import { DEMO_SESSION, DEMO_STEPS, runAgentLoop, scriptedModel, type RunTool, type Step } from '../../harness/agent-sdk/examples/agent-loop.js';
import { startTestWarden, type TestWarden } from '../helpers/test-warden.js';
import { waitFor } from '../helpers/wait-for.js';

const INGEST = 'wdn_test_agent_sdk_ingest_0000';
const OPERATOR = 'wdn_test_agent_sdk_operate_000';

let warden: TestWarden;

before(async () => {
  warden = await startTestWarden({}, {
    tokens: [
      { name: 'agent', token: INGEST, tenant: 'default', roles: ['ingest'] },
      { name: 'oncall', token: OPERATOR, tenant: 'default', roles: ['read', 'operate'] },
    ],
  });
});

after(async () => {
  await warden?.cleanup();
});

async function rows<T>(query: string, params: Record<string, unknown>): Promise<T[]> {
  const rs = await warden.storage.client.query({ query, query_params: params, format: 'JSONEachRow' });
  return (await rs.json()) as T[];
}

interface EventRow {
  phase: string;
  tool: string;
  tool_call_id: string;
  command: string;
  status: string;
  goal: string;
  environment: string;
  agent_id: string;
}

function eventsOf(session: string): Promise<EventRow[]> {
  return rows<EventRow>(
    `SELECT phase, tool, tool_call_id, command, status, goal, environment, agent_id FROM ${warden.storage.database}.audit_events FINAL WHERE session_id = {s:String} ORDER BY time`,
    { s: session },
  );
}

/** A tool runner that records what it was asked to run and runs nothing. */
function recordingRunner(): { run: RunTool; ran: Step[] } {
  const ran: Step[] = [];
  return { ran, run: async (step) => (ran.push(step), { exitCode: 0, output: `ok: ${step.command ?? ''}` }) };
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('the example agent loop, gated by the default policy', () => {
  test('the destructive step is denied before it runs; the benign steps run and their executions are stored under the session', async () => {
    const errors: WardenError[] = [];
    const aborter = new AbortController();
    const client = createWarden({
      url: warden.url,
      token: INGEST,
      session: DEMO_SESSION,
      canAsk: false,
      onRevoked: (reason) => aborter.abort(reason),
      revocation: { intervalMs: 100 },
      onError: (e) => errors.push(e),
    });
    // No wait for the declaration's telemetry: the first gate call carries the declaration, and
    // Warden applies it before deciding (test/e2e/gate-declaration.test.ts shows it under load).
    const runner = recordingRunner();
    const report = await runAgentLoop(client, scriptedModel(DEMO_STEPS), runner.run, { signal: aborter.signal });
    const drop = DEMO_STEPS.findIndex((s) => s.command?.includes('DROP TABLE'));
    assert.ok(drop > 0);
    for (const o of report.outcomes) console.log(`# ${o.decision.padEnd(5)} ran=${o.ran} ${o.step.command} ${o.ran ? '' : `— ${o.reason.slice(0, 200)}`}`);

    const dropOutcome = report.outcomes[drop]!;
    assert.equal(dropOutcome.decision, 'deny', dropOutcome.reason);
    assert.equal(dropOutcome.ran, false);
    assert.ok(!runner.ran.some((s) => s.command?.includes('DROP TABLE')), 'the tool runner never saw the DROP');
    assert.deepEqual(
      report.outcomes.slice(0, drop).map((o) => [o.decision, o.ran]),
      DEMO_STEPS.slice(0, drop).map(() => ['allow', true]),
      'the steps before the drop are allowed and run',
    );
    assert.deepEqual(runner.ran, DEMO_STEPS.slice(0, drop));

    const ranIds = report.outcomes.filter((o) => o.ran).map((o) => o.toolCallId);
    const stored = await waitFor(
      () => eventsOf(client.sessionId),
      (events) => ranIds.every((id) => ['intent', 'execution'].every((phase) => events.some((e) => e.phase === phase && e.tool_call_id === id))),
      { what: 'the intents and executions stored' },
    );
    for (const id of ranIds) {
      const intent = stored.filter((e) => e.phase === 'intent' && e.tool_call_id === id);
      const execution = stored.filter((e) => e.phase === 'execution' && e.tool_call_id === id);
      assert.equal(intent.length, 1, `one intent for ${id}`);
      assert.equal(execution.length, 1, `one execution for ${id}`);
      assert.equal(execution[0]!.command, intent[0]!.command);
      assert.equal(execution[0]!.status, 'ok');
      assert.equal(execution[0]!.agent_id, 'example-agent');
    }
    const declared = stored.filter((e) => e.phase === 'session');
    assert.equal(declared.length, 1);
    assert.equal(declared[0]!.goal, DEMO_SESSION.goal);
    assert.equal(declared[0]!.environment, 'prod');
    assert.ok(!stored.some((e) => e.phase === 'execution' && e.command.includes('DROP TABLE')), 'no execution of the drop');
    // The deny reached the kill switch's threshold: the answer says the session is revoked, and the
    // client knows it at once (onRevoked called) — from the answer, or from the watcher's poll when
    // that came first (both are the revocation; the first one known is kept).
    assert.match(client.revoked ?? '', /^Warden revoked this session( with this call: | \(detector:)/);
    assert.ok(aborter.signal.aborted);
    assert.equal(await client.declared(), true);
    assert.deepEqual(await client.close(), { undelivered: 0 });
    assert.deepEqual(errors, []);
  });
});

describe('revocation', () => {
  test("an operator's revocation makes the watcher call onRevoked once, and the loop stops", async () => {
    const revocations: string[] = [];
    const aborter = new AbortController();
    const client = createWarden({
      url: warden.url,
      token: INGEST,
      session: { agent: 'example-agent', goal: 'Tidy the README', environment: 'dev' },
      onRevoked: (reason) => {
        revocations.push(reason);
        aborter.abort(reason);
      },
      revocation: { intervalMs: 50 },
    });
    const first = await client.gate({ tool: 'shell', command: 'ls', cwd: '/home/dev/docs' });
    assert.equal(first.decision, 'allow', first.reason);
    assert.deepEqual(await client.executed({ toolCallId: first.toolCallId, exitCode: 0, output: 'README.md', durationMs: 12 }), { delivered: true });
    // The operator API knows a session once it is stored.
    await waitFor(() => eventsOf(client.sessionId), (events) => events.some((e) => e.phase === 'execution'), { what: 'the session stored' });
    assert.equal(revocations.length, 0);

    const res = await fetch(`${warden.url}/api/v1/sessions/${client.sessionId}/revoke`, {
      method: 'POST',
      headers: { authorization: `Bearer ${OPERATOR}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'agent looping on the docs, stopped by on-call' }),
    });
    assert.equal(res.status, 200, await res.text());
    await waitFor(async () => revocations.length, (n) => n > 0, { what: 'onRevoked' });
    assert.match(revocations[0]!, /^Warden revoked this session \(operator:oncall, .*\): agent looping on the docs, stopped by on-call$/);
    assert.equal(client.revoked, revocations[0]);

    // The loop started now stops before its first step; a gate call is denied with the revocation.
    const runner = recordingRunner();
    const report = await runAgentLoop(client, scriptedModel([{ tool: 'shell', command: 'ls' }]), runner.run, { signal: aborter.signal });
    assert.match(report.stopped, /^session revoked: Warden revoked this session/);
    assert.deepEqual(runner.ran, []);
    const after = await client.gate({ tool: 'shell', command: 'ls' });
    assert.equal(after.decision, 'deny');
    assert.match(after.reason, /agent looping on the docs/);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(revocations.length, 1, 'onRevoked is called once');
    await client.close();
  });
});

describe('Warden unreachable', () => {
  test("failMode 'closed' denies and 'open' allows, each saying why; undelivered executions wait for flush()", async () => {
    const port = await closedPort();
    const url = `http://127.0.0.1:${port}`;
    const errors: WardenError[] = [];
    const closed = createWarden({ url, token: INGEST, session: { agent: 'example-agent' }, gateTimeoutMs: 1000, onError: (e) => errors.push(e) });
    const denied = await closed.gate({ tool: 'shell', command: 'ls' });
    assert.equal(denied.decision, 'deny');
    assert.equal(denied.detector, 'fail_mode');
    assert.match(denied.reason, /Warden is unreachable at .*; denied because the harness's failMode is 'closed'/);
    assert.equal(denied.error?.code, 'WARDEN_UNREACHABLE');
    assert.equal(await closed.declared(), false);

    const open = createWarden({ url, token: INGEST, session: { agent: 'example-agent' }, failMode: 'open', gateTimeoutMs: 1000 });
    const allowed = await open.gate({ tool: 'shell', command: 'ls' });
    assert.equal(allowed.decision, 'allow');
    assert.equal(allowed.detector, 'fail_mode');
    assert.match(allowed.reason, /allowed because the harness's failMode is 'open' — this call is not audited/);
    assert.deepEqual(await open.executed({ toolCallId: allowed.toolCallId, exitCode: 0, durationMs: 3 }), { delivered: false });
    assert.deepEqual(open.stats(), { gated: 1, failModeAnswers: 1, delivered: 0, dropped: 0, pending: 2 });
    assert.ok(errors.some((e) => e.code === 'WARDEN_UNREACHABLE'));
    await closed.close();

    // Warden comes back at that address (a TCP relay to it): flush() delivers the declaration and
    // the execution, in order, under the session.
    const wardenPort = Number(new URL(warden.url).port);
    const sockets = new Set<Socket>();
    const relay = createServer((socket) => {
      const upstream = connect(wardenPort, '127.0.0.1');
      sockets.add(socket).add(upstream);
      socket.pipe(upstream).pipe(socket);
      socket.on('error', () => upstream.destroy());
      upstream.on('error', () => socket.destroy());
    });
    await new Promise<void>((resolve) => relay.listen(port, '127.0.0.1', resolve));
    try {
      assert.deepEqual(await open.flush(), { undelivered: 0 });
      assert.deepEqual(open.stats(), { gated: 1, failModeAnswers: 1, delivered: 2, dropped: 0, pending: 0 });
      const stored = await waitFor(() => eventsOf(open.sessionId), (events) => events.length >= 2, { what: 'the kept records stored' });
      assert.deepEqual(stored.map((e) => [e.phase, e.tool_call_id]).sort(), [['execution', allowed.toolCallId], ['session', '']]);
      await open.close();
    } finally {
      relay.close();
      for (const socket of sockets) socket.destroy();
    }
  });

  test('a refused token is answered by the fail mode too', async () => {
    const client = createWarden({ url: warden.url, token: 'wdn_not_a_known_token_000000', session: { agent: 'example-agent' } });
    const answer = await client.gate({ tool: 'shell', command: 'ls' });
    assert.equal(answer.decision, 'deny');
    assert.equal(answer.error?.code, 'WARDEN_UNAUTHORIZED');
    assert.match(answer.reason, /Warden answered 401/);
    await client.close();
  });
});

describe('OpenTelemetry exporters', () => {
  test("a framework's tool span and a log record reach Warden under the exporter's session", async () => {
    const session = `sdk-export-${Date.now()}`;
    const errors: Error[] = [];
    const spans = new WardenSpanExporter({ url: warden.url, token: INGEST, sessionId: session, onError: (e) => errors.push(e) });
    const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'framework-agent' }), spanProcessors: [new SimpleSpanProcessor(spans)] });
    const tracer = provider.getTracer('some-agent-framework', '1.2.3');
    tracer.startActiveSpan('invoke_agent', (root) => {
      const tool = tracer.startSpan('execute_tool bash', { attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'bash', 'gen_ai.tool.call.id': 'fw-call-1', 'gen_ai.tool.call.arguments': JSON.stringify({ command: 'git status' }) } });
      tool.end();
      root.end();
    });
    const logs = new WardenLogRecordExporter({ url: warden.url, token: INGEST, sessionId: session, onError: (e) => errors.push(e) });
    const loggers = new LoggerProvider({ resource: resourceFromAttributes({ 'service.name': 'framework-agent' }), processors: [new SimpleLogRecordProcessor({ exporter: logs })] });
    loggers.getLogger('some-agent-framework').emit({ eventName: 'warden.session.start', attributes: { 'warden.session.goal': 'Show the repository status' }, body: 'session starts' });
    await provider.forceFlush();
    await loggers.forceFlush();
    const stored = await waitFor(() => eventsOf(session), (events) => events.length >= 3, { what: 'exported records stored' });
    const tool = stored.find((e) => e.tool_call_id === 'fw-call-1');
    assert.equal(tool?.phase, 'execution');
    assert.equal(tool?.command, 'git status');
    assert.equal(tool?.agent_id, 'framework-agent');
    assert.equal(stored.find((e) => e.phase === 'session')?.goal, 'Show the repository status');
    assert.deepEqual(errors, []);
    await provider.shutdown();
    await loggers.shutdown();
  });
});

/**
 * The gate decides with the declaration the caller made: `POST /api/v1/gate` takes the session's
 * declaration and applies it before the intent is decided, and answers whether the session is
 * revoked after the decision. A real Warden (the assembly of `warden start`, default policy), real
 * HTTP with an ingest token, embedded ClickHouse:
 *
 * - the defect: a session declared through the harness and gated at once — the declaration's
 *   telemetry still in Warden's ingest queue — had its `git push --force origin main` decided
 *   without the goal ("fix the typo in README"); it is now denied by goal_deviation, the answer
 *   says the session is revoked and the client's `revoked` getter (no watcher) says so too; the
 *   declaration, arriving twice (telemetry and gate), is stored once;
 * - a gate call whose declaration never-touches the target is denied by scope_drift; the same
 *   call in an undeclared session is allowed (both `revoked: false`/`true` as the kill switch has it);
 * - the harness sends its declaration with every gate call until an answer says Warden applied it:
 *   a first call that did not reach Warden is followed by one that carries it (and is decided with
 *   it, the telemetry declaration still undelivered), and the calls after carry none; the
 *   telemetry copy, delivered last, is the same event, stored once;
 * - `revoked` is false on an allow and on a deny that revokes nothing (the command floor, no one to ask);
 * - a declaration the schema refuses is a 400 `INVALID_REQUEST`, and nothing is decided.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { createWarden } from '../../harness/agent-sdk/src/index.js';
import { DECLARATION_LIMITS as L } from '../../harness/agent-sdk/src/records.js';
import { encodeOtlp } from '../../decode/otlp/index.js';
import { toolSpan } from '../helpers/tool-span.js';
import { startTestWarden, type TestWarden } from '../helpers/test-warden.js';
import { waitFor } from '../helpers/wait-for.js';

const INGEST = 'wdn_test_gate_declaration_ingest';

let warden: TestWarden;

before(async () => {
  warden = await startTestWarden({}, { tokens: [{ name: 'agent', token: INGEST, tenant: 'default', roles: ['ingest'] }] });
});

after(async () => {
  await warden?.cleanup();
});

interface GateReply {
  status: number;
  body: Record<string, unknown>;
}

async function gate(body: Record<string, unknown>): Promise<GateReply> {
  const res = await fetch(`${warden.url}/api/v1/gate`, {
    method: 'POST',
    headers: { authorization: `Bearer ${INGEST}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/**
 * Telemetry of other sessions, accepted (200) and waiting in Warden's ingest queue: what a Warden
 * under load has in front of a declaration that arrives now.
 */
async function backlog(requests: number, spansPerRequest: number): Promise<void> {
  const bodies = Array.from({ length: requests }, (_, r) =>
    Buffer.from(encodeOtlp('traces', Array.from({ length: spansPerRequest }, (_, i) => toolSpan(`gate-decl-load-${r}-${i % 20}`, `ls -la src/module-${i}`)), 'otlp_json')),
  );
  await Promise.all(
    bodies.map(async (body) => {
      const res = await fetch(`${warden.url}/v1/traces`, { method: 'POST', headers: { authorization: `Bearer ${INGEST}`, 'content-type': 'application/json' }, body });
      assert.equal(res.status, 200, await res.text());
    }),
  );
}

async function sessionEvents(session: string): Promise<{ phase: string; goal: string; environment: string }[]> {
  const rs = await warden.storage.client.query({
    query: `SELECT phase, goal, environment FROM ${warden.storage.database}.audit_events FINAL WHERE session_id = {s:String} ORDER BY time`,
    query_params: { s: session },
    format: 'JSONEachRow',
  });
  return (await rs.json()) as { phase: string; goal: string; environment: string }[];
}

describe('a harness session gated right after it declared', () => {
  test('the force-push against the goal is denied by goal_deviation, revoked says so, and the declaration is stored once', async () => {
    // Warden has other agents' telemetry to work through: the declaration's telemetry queues behind it.
    await backlog(16, 400);
    const client = createWarden({ url: warden.url, token: INGEST, session: { agent: 'typo-bot', goal: 'fix the typo in README' } });
    // No waiting for the declaration's telemetry: the agent's first tool call comes at once.
    const answer = await client.gate({ tool: 'shell', command: 'git push --force origin main', cwd: '/home/dev/site' });
    assert.equal(answer.decision, 'deny', answer.reason);
    assert.equal(answer.detector, 'goal_deviation', answer.reason);
    assert.equal(answer.revoked, true, 'a deny at the kill switch revoke level revokes the session');
    assert.equal(client.revoked, `Warden revoked this session with this call: ${answer.reason}`, "the client's revoked getter is set from the answer (no watcher runs)");
    assert.ok(warden.detection.registry.revocationOf('default', client.sessionId), 'Warden holds the session revoked');

    const stored = await waitFor(() => sessionEvents(client.sessionId), (events) => events.some((e) => e.phase === 'intent') && events.some((e) => e.phase === 'session'), { what: 'the declaration and intent stored' });
    assert.deepEqual(await client.declared(), true);
    await warden.detection.engine.drain();
    const declarations = (await sessionEvents(client.sessionId)).filter((e) => e.phase === 'session');
    assert.equal(declarations.length, 1, `the declaration (telemetry and gate) stored once: ${JSON.stringify(stored)}`);
    assert.equal(declarations[0]!.goal, 'fix the typo in README');
    await client.close();
  });
});

/** A real HTTP proxy in front of Warden that records what it forwards, and drops connections while `down`. */
async function recordingProxy(): Promise<{ url: string; down: boolean; seen: { path: string; body: Record<string, unknown> }[]; close(): Promise<void> }> {
  const state = { down: true, seen: [] as { path: string; body: Record<string, unknown> }[] };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (state.down) return void req.socket.destroy();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (req.url === '/api/v1/gate') state.seen.push({ path: req.url, body: JSON.parse(body.toString('utf8')) as Record<string, unknown> });
      const headers: Record<string, string> = {};
      for (const h of ['authorization', 'content-type']) if (typeof req.headers[h] === 'string') headers[h] = req.headers[h];
      fetch(`${warden.url}${req.url ?? '/'}`, { method: req.method ?? 'GET', headers, ...(req.method === 'GET' ? {} : { body }) })
        .then(async (upstream) => {
          res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
          res.end(Buffer.from(await upstream.arrayBuffer()));
        })
        .catch(() => req.socket.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return Object.assign(state, { url, close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
}

describe('the harness sends its declaration until Warden applied one', () => {
  test('a first call that never reached Warden is followed by one carrying it; the calls after carry none; stored once', async () => {
    const proxy = await recordingProxy();
    try {
      const client = createWarden({ url: proxy.url, token: INGEST, session: { agent: 'typo-bot', goal: 'fix the typo in README', environment: 'prod' }, gateTimeoutMs: 2000 });
      const lost = await client.gate({ tool: 'shell', command: 'ls', cwd: '/home/dev/site' });
      assert.equal(lost.detector, 'fail_mode');
      assert.equal(lost.revoked, false);
      assert.equal(await client.declared(), false, 'the telemetry declaration is still undelivered');

      proxy.down = false;
      const push = await client.gate({ tool: 'shell', command: 'git push --force origin main', cwd: '/home/dev/site' });
      assert.equal(push.decision, 'deny', push.reason);
      assert.equal(push.detector, 'goal_deviation', push.reason);
      const carried = proxy.seen[0]!.body.declaration as Record<string, unknown> | undefined;
      assert.equal(carried?.goal, 'fix the typo in README');
      assert.equal(carried?.environment, 'prod');
      assert.match(String(carried?.time_unix_nano), /^[1-9][0-9]+$/);

      const after = await client.gate({ tool: 'shell', command: 'ls', cwd: '/home/dev/site' });
      assert.equal(proxy.seen.length, 2);
      assert.equal(proxy.seen[1]!.body.declaration, undefined, 'Warden applied the declaration: later calls go without it');

      // The telemetry declaration, delivered now, is the record the gate stored: one event. The
      // declaration travels as a log and the execution as a span — two queues, stored by two
      // inserts in either order — so the check waits for both before counting the declarations.
      assert.deepEqual(await client.flush(), { undelivered: 0 });
      assert.deepEqual(await client.executed({ toolCallId: after.toolCallId, exitCode: 0, durationMs: 1 }), { delivered: true });
      await waitFor(() => sessionEvents(client.sessionId), (events) => events.some((e) => e.phase === 'execution') && events.some((e) => e.phase === 'session'), { what: 'the execution and the declaration stored' });
      const declarations = (await sessionEvents(client.sessionId)).filter((e) => e.phase === 'session');
      assert.deepEqual(declarations, [{ phase: 'session', goal: 'fix the typo in README', environment: 'prod' }]);
      await client.close();
    } finally {
      await proxy.close();
    }
  });
});

describe('POST /api/v1/gate with a declaration', () => {
  test("a declared never-touch scope covering the target denies the call; the same call undeclared is allowed", async () => {
    const command = 'cat /srv/payroll/salaries.csv';
    const declared = `gate-decl-${randomUUID()}`;
    const denied = await gate({ session_id: declared, tool: 'shell', command, cwd: '/home/dev/app', tool_call_id: 'call-1', agent: 'payroll-bot', declaration: { goal: 'update the app dependencies', scope_deny: ['/srv/payroll/**'] } });
    assert.equal(denied.status, 200, JSON.stringify(denied.body));
    assert.equal(denied.body.decision, 'deny', String(denied.body.reason));
    assert.equal(denied.body.detector, 'scope_drift', String(denied.body.reason));
    assert.equal(denied.body.declared, true);
    assert.equal(denied.body.revoked, warden.detection.registry.revocationOf('default', declared) !== null);
    assert.equal(warden.detection.registry.get('default', declared)?.scope_deny.join(','), '/srv/payroll/**');

    const undeclared = `gate-undecl-${randomUUID()}`;
    const allowed = await gate({ session_id: undeclared, tool: 'shell', command, cwd: '/home/dev/app', tool_call_id: 'call-1', agent: 'payroll-bot' });
    assert.equal(allowed.status, 200, JSON.stringify(allowed.body));
    assert.equal(allowed.body.decision, 'allow', String(allowed.body.reason));
    assert.equal(allowed.body.declared, false);
    assert.equal(allowed.body.revoked, false);
  });

  test('revoked is false on an allow and on a deny that revokes nothing; true on a deny that revokes and on the calls after', async () => {
    const session = `gate-revoked-${randomUUID()}`;
    const declaration = { goal: 'fix the typo in README', environment: 'prod' };
    const ok = await gate({ session_id: session, tool: 'shell', command: 'ls', cwd: '/home/dev/site', tool_call_id: 'c1', can_ask: false, declaration });
    assert.equal(ok.body.decision, 'allow', String(ok.body.reason));
    assert.equal(ok.body.revoked, false);

    // A fresh session with nothing declared: a destructive command is stopped by the command floor
    // (no finding, no one to ask) — a deny that revokes nothing.
    const floor = `gate-floor-${randomUUID()}`;
    const staged = await gate({ session_id: floor, tool: 'shell', command: 'terraform destroy -auto-approve', cwd: '/home/dev/infra', tool_call_id: 'c1', can_ask: false });
    assert.equal(staged.body.decision, 'deny', String(staged.body.reason));
    assert.equal(staged.body.revoked, false, String(staged.body.reason));
    assert.equal(warden.detection.registry.revocationOf('default', floor), null);

    const push = await gate({ session_id: session, tool: 'shell', command: 'git push --force origin main', cwd: '/home/dev/site', tool_call_id: 'c2', can_ask: false });
    assert.equal(push.body.decision, 'deny', String(push.body.reason));
    assert.equal(push.body.detector, 'goal_deviation');
    assert.equal(push.body.revoked, true);
    const next = await gate({ session_id: session, tool: 'shell', command: 'ls', cwd: '/home/dev/site', tool_call_id: 'c3' });
    assert.equal(next.body.decision, 'deny');
    assert.equal(next.body.revoked, true);
  });

  test("a declaration at the harness's bounds is taken and applied (the harness refuses past them, Warden's schema too)", async () => {
    const session = { agent: 'big-bot', goal: 'g'.repeat(L.goal), environment: 'e'.repeat(L.environment), user: 'u'.repeat(L.user), scope: { allow: Array.from({ length: L.scopeItems }, (_, i) => `/srv/app-${i}/${'a'.repeat(L.scopeItemChars - 20)}`), deny: Array.from({ length: L.scopeItems }, (_, i) => `/srv/secret-${i}/**`) } };
    const client = createWarden({ url: warden.url, token: INGEST, session });
    const answer = await client.gate({ tool: 'shell', command: 'ls', cwd: '/home/dev' });
    assert.equal(answer.error, undefined, answer.reason);
    assert.equal(answer.decision, 'allow', answer.reason);
    const state = warden.detection.registry.get('default', client.sessionId);
    assert.equal(state?.scope_allow.length, L.scopeItems);
    assert.equal(state?.scope_deny.length, L.scopeItems);
    assert.equal(state?.environment.length, L.environment);
    await client.close();
  });

  test('a declaration the schema refuses is a 400 with INVALID_REQUEST, and the call is not decided', async () => {
    const bad: unknown[] = [
      { scope_deny: { '/srv/**': true } },
      { scope_allow: [''] },
      { goal: 'x'.repeat(L.goal + 1) },
      { environment: 'x'.repeat(L.environment + 1) },
      { user: 'x'.repeat(L.user + 1) },
      { scope_allow: ['x'.repeat(L.scopeItemChars + 1)] },
      { scope_deny: Array.from({ length: L.scopeItems + 1 }, (_, i) => `/srv/${i}/**`) },
      { time_unix_nano: 'yesterday' },
      { goals: 'a misspelt field' },
      'fix the typo',
    ];
    for (const declaration of bad) {
      const session = `gate-bad-${randomUUID()}`;
      const res = await gate({ session_id: session, tool: 'shell', command: 'ls', tool_call_id: 'c1', declaration });
      assert.equal(res.status, 400, `${JSON.stringify(declaration).slice(0, 80)} → ${JSON.stringify(res.body)}`);
      assert.equal((res.body.error as { code?: string } | undefined)?.code, 'INVALID_REQUEST');
      assert.equal(warden.detection.registry.get('default', session), undefined, 'nothing was applied or decided');
    }
  });
});

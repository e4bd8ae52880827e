/**
 * GET /api/v1/sessions and /api/v1/sessions/:id over a real embedded ClickHouse: sessions known
 * from events only, from a stored row, live in the directory, merged; state from the revocation
 * service; filters; tenant isolation and the admin tenant override.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeEvent } from '../../../test/infra/clickhouse-events.js';
import { nsToDateTime64 } from '../../../store/event-row.js';
import { openOperatorFixture, TOKENS, type OperatorFixture } from '../../../test/helpers/operator-fixture.js';

// Recent enough to be inside the audit trail's TTL: an hour ago, on a whole second.
const T0 = (BigInt(Math.floor(Date.now() / 1000)) - 3600n) * 1_000_000_000n;
const iso = (offsetMs: number): string => new Date(Number(T0 / 1_000_000n) + offsetMs).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
const at = (offsetMs: number): string => (T0 + BigInt(offsetMs) * 1_000_000n).toString();
const auth = (token: string) => ({ authorization: `Bearer ${token}` });

let fx: OperatorFixture;

before(async () => {
  fx = await openOperatorFixture();
  await fx.insertEvents([
    makeEvent({ event_id: 'a1', tenant: 'acme', session_id: 's-events', agent_id: 'codex', phase: 'session', goal: 'fix the flaky test', tool: '', tool_call_id: '', destructive: false, time_ns: at(0) }),
    makeEvent({ event_id: 'a2', tenant: 'acme', session_id: 's-events', agent_id: 'codex', phase: 'intent', tool_call_id: 'c1', goal: '', destructive: true, time_ns: at(1000) }),
    makeEvent({ event_id: 'a3', tenant: 'acme', session_id: 's-events', agent_id: 'codex', phase: 'execution', tool_call_id: 'c1', goal: '', destructive: true, time_ns: at(2000) }),
    makeEvent({ event_id: 'b1', tenant: 'acme', session_id: 's-stored', agent_id: 'claude-code', goal: '', destructive: false, time_ns: at(-3_600_000) }),
    makeEvent({ event_id: 'g1', tenant: 'globex', session_id: 's-globex', agent_id: 'claude-code', time_ns: at(0) }),
  ]);
  await fx.insertSessionRow({
    tenant: 'acme', session_id: 's-stored', agent_id: 'claude-code', user_id: 'bob', goal: 'rotate the logs',
    scope_allow: ['/var/log/app/**'], scope_deny: [], environment: 'prod', state: 'active', revoked_at: null,
    revoked_by: '', revoke_reason: '', finding_id: '',
    first_seen: nsToDateTime64(at(-3_600_000)), last_seen: nsToDateTime64(at(-3_600_000)),
    event_count: 1, destructive_count: 0, version: 1,
  });
  // Live only (never stored): the registry observes it as the pipeline would.
  const live = (id: string, phase: 'intent' | 'execution', destructive: boolean, goal = '') =>
    makeEvent({ event_id: id, tenant: 'acme', session_id: 's-live', agent_id: 'claude-code', phase, destructive, goal, time_ns: at(5000) });
  for (const event of [live('l1', 'intent', false, 'clean build output'), live('l2', 'execution', false), live('l3', 'intent', true), live('l4', 'execution', false)]) {
    fx.sessions.observe(event);
  }
});

after(async () => {
  await fx.close();
});

describe('GET /api/v1/sessions/:id', () => {
  test('a session known only from its events is derived from them', async () => {
    const res = await fx.app().inject({ method: 'GET', url: '/api/v1/sessions/s-events', headers: auth(TOKENS.acmeReader) });
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.equal(body.id, 's-events');
    assert.equal(body.tenant, 'acme');
    assert.equal(body.agent, 'codex');
    assert.equal(body.state, 'active');
    assert.equal(body.goal, 'fix the flaky test');
    assert.deepEqual(body.scope, { allow: ['/srv/app/**'], deny: ['/srv/app/.git/**'] });
    assert.equal(body.revoked, null);
    assert.deepEqual(body.counts, { events: 3, intents: 1, executions: 1, destructive: 2 });
    assert.equal(body.first_seen, iso(0));
    assert.equal(body.last_seen, iso(2000));
    assert.equal(body.live, false);
  });

  test('a stored row gives declarations; counts still come from the events', async () => {
    const body = (await fx.app().inject({ method: 'GET', url: '/api/v1/sessions/s-stored', headers: auth(TOKENS.acmeReader) })).json();
    assert.equal(body.goal, 'rotate the logs');
    assert.equal(body.user, 'bob');
    assert.equal(body.environment, 'prod');
    assert.deepEqual(body.scope.allow, ['/var/log/app/**']);
    assert.equal(body.counts.events, 1);
  });

  test('a live session is answered from the directory', async () => {
    const body = (await fx.app().inject({ method: 'GET', url: '/api/v1/sessions/s-live', headers: auth(TOKENS.acmeReader) })).json();
    assert.equal(body.live, true);
    assert.equal(body.goal, 'clean build output');
    assert.deepEqual(body.counts, { events: 4, intents: 2, executions: 2, destructive: 1 });
  });

  test('revocation state is the revocation service answer', async () => {
    await fx.revocations.revoke({ tenant: 'acme', sessionId: 's-stored', by: 'detector:scope_drift', reason: 'touched /etc' });
    try {
      const body = (await fx.app().inject({ method: 'GET', url: '/api/v1/sessions/s-stored', headers: auth(TOKENS.acmeReader) })).json();
      assert.equal(body.state, 'revoked');
      assert.equal(body.revoked.by, 'detector:scope_drift');
      assert.equal(body.revoked.reason, 'touched /etc');
      assert.equal(body.revoked.finding_id, null);
    } finally {
      await fx.revocations.reinstate({ tenant: 'acme', sessionId: 's-stored', by: 'operator:test', reason: 'cleanup' });
    }
  });

  test('unknown sessions and other tenants\' sessions are 404', async () => {
    const app = fx.app();
    for (const url of ['/api/v1/sessions/nope', '/api/v1/sessions/s-globex']) {
      const res = await app.inject({ method: 'GET', url, headers: auth(TOKENS.acmeReader) });
      assert.equal(res.statusCode, 404);
      assert.deepEqual(res.json(), { error: { code: 'NOT_FOUND', message: `no session "${url.split('/').pop()}"` } });
    }
  });

  test('a token may not name another tenant, an admin token neither; a cross_tenant token may, counted', async () => {
    const app = fx.app();
    const denied = await app.inject({ method: 'GET', url: '/api/v1/sessions/s-globex?tenant=globex', headers: auth(TOKENS.acmeReader) });
    assert.equal(denied.statusCode, 403);
    assert.equal(denied.json().error.code, 'FORBIDDEN');
    const admin = await app.inject({ method: 'GET', url: '/api/v1/sessions/s-globex?tenant=globex', headers: auth(TOKENS.admin) });
    assert.equal(admin.statusCode, 403);
    assert.match(admin.json().error.message, /cross_tenant/);
    const counted = async (): Promise<number> => (await fx.metrics.crossTenantReads.get()).values.find((v) => v.labels.route === '/api/v1/sessions/:id')?.value ?? 0;
    const before = await counted();
    const auditor = await app.inject({ method: 'GET', url: '/api/v1/sessions/s-globex?tenant=globex', headers: auth(TOKENS.acmeAuditor) });
    assert.equal(auditor.statusCode, 200);
    assert.equal(auditor.json().tenant, 'globex');
    assert.equal(await counted(), before + 1);
  });

  test('no token is 401, a token without read is 403', async () => {
    const app = fx.app();
    assert.equal((await app.inject({ method: 'GET', url: '/api/v1/sessions/s-live' })).statusCode, 401);
    assert.equal((await app.inject({ method: 'GET', url: '/api/v1/sessions/s-live', headers: auth(TOKENS.acmeIngest) })).statusCode, 403);
  });
});

describe('GET /api/v1/sessions', () => {
  test('lists live, stored and derived sessions of the tenant, newest activity first', async () => {
    const res = await fx.app().inject({ method: 'GET', url: '/api/v1/sessions', headers: auth(TOKENS.acmeReader) });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json().sessions.map((s: { id: string }) => s.id), ['s-live', 's-events', 's-stored']);
  });

  test('filters by agent, since, state and limit', async () => {
    const app = fx.app();
    const list = async (qs: string): Promise<string[]> => {
      const res = await app.inject({ method: "GET", url: `/api/v1/sessions?${qs}`, headers: auth(TOKENS.acmeReader) });
      assert.equal(res.statusCode, 200, res.body);
      return res.json().sessions.map((s: { id: string }) => s.id);
    };
    assert.deepEqual(await list('agent=codex'), ['s-events']);
    assert.deepEqual(await list(`since=${iso(-1_800_000)}`), ['s-live', 's-events']);
    assert.deepEqual(await list('limit=1'), ['s-live']);
    assert.deepEqual(await list('state=revoked'), []);
    await fx.revocations.revoke({ tenant: 'acme', sessionId: 's-events', by: 'operator:alice', reason: 'test' });
    try {
      assert.deepEqual(await list('state=revoked'), ['s-events']);
      assert.deepEqual(await list('state=active'), ['s-live', 's-stored']);
    } finally {
      await fx.revocations.reinstate({ tenant: 'acme', sessionId: 's-events', by: 'operator:alice', reason: 'test over' });
    }
  });

  test('bad filters are 400 with a stable code', async () => {
    const app = fx.app();
    for (const qs of ['state=paused', 'limit=0', 'limit=100000', 'since=yesterday']) {
      const res = await app.inject({ method: 'GET', url: `/api/v1/sessions?${qs}`, headers: auth(TOKENS.acmeReader) });
      assert.equal(res.statusCode, 400, qs);
      assert.equal(res.json().error.code, 'INVALID_REQUEST', qs);
    }
  });

  test('a tenant sees its own sessions only', async () => {
    const body = (await fx.app().inject({ method: 'GET', url: '/api/v1/sessions', headers: auth(TOKENS.globexReader) })).json();
    assert.deepEqual(body.sessions.map((s: { id: string }) => s.id), ['s-globex']);
  });
});

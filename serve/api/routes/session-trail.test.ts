/**
 * Timeline and blast radius over a real embedded ClickHouse: intents paired with executions by
 * tool call id (a second reporter of the same call rides along), standalone events, targets
 * grouped by kind with destructive ones marked, 404 for unknown sessions.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeEvent } from '../../../test/infra/clickhouse-events.js';
import type { AuditEvent } from '../../../model/audit-event.js';
import { openOperatorFixture, TOKENS, type OperatorFixture } from '../../../test/helpers/operator-fixture.js';

const T0 = (BigInt(Math.floor(Date.now() / 1000)) - 600n) * 1_000_000_000n;
const at = (offsetMs: number): string => (T0 + BigInt(offsetMs) * 1_000_000n).toString();
const auth = { authorization: `Bearer ${TOKENS.acmeReader}` };

function action(id: string, offsetMs: number, overrides: Partial<AuditEvent>): AuditEvent {
  return makeEvent({ event_id: id, tenant: 'acme', session_id: 's-1', time_ns: at(offsetMs), destructive: false, targets: [], action_class: 'none', ...overrides });
}

let fx: OperatorFixture;

before(async () => {
  fx = await openOperatorFixture();
  await fx.insertEvents([
    action('e0', 0, { phase: 'session', tool: '', tool_call_id: '', goal: 'clean up test namespace', name: 'warden.session.start' }),
    action('e1', 1000, { phase: 'intent', tool_call_id: 'toolu_1', source: 'hook', command: 'kubectl delete ns staging', targets: ['k8s://prod/staging'], destructive: true, action_class: 'k8s.delete' }),
    action('e2', 1001, { phase: 'intent', tool_call_id: 'toolu_1', source: 'claude_code', command: 'kubectl delete ns staging', targets: ['k8s://prod/staging'], destructive: true, action_class: 'k8s.delete', decision: 'accept' }),
    action('e3', 2000, { phase: 'execution', tool_call_id: 'toolu_1', source: 'hook', command: 'kubectl delete ns staging', targets: ['k8s://prod/staging'], destructive: true, action_class: 'k8s.delete' }),
    action('e4', 3000, { phase: 'intent', tool_call_id: 'toolu_2', command: 'ls /srv/app', targets: ['/srv/app'] }),
    action('e5', 4000, { phase: 'execution', tool_call_id: '', command: 'rm -rf /srv/app/build', targets: ['/srv/app/build', '/srv/app/build/cache'], destructive: true, action_class: 'fs.delete' }),
    action('e6', 5000, { phase: 'execution', tool_call_id: 'toolu_3', tool: 'Read', command: '', targets: ['/srv/app'] }),
  ]);
});

after(async () => {
  await fx.close();
});

test('the timeline pairs each intent with its execution, in time order', async () => {
  const res = await fx.app().inject({ method: 'GET', url: '/api/v1/sessions/s-1/timeline', headers: auth });
  assert.equal(res.statusCode, 200);
  const body = res.json();
  assert.equal(body.events, 7);
  assert.equal(body.truncated, false);
  const shape = body.items.map((item: { kind: string; tool_call_id?: string; intent?: { event_id: string } | null; execution?: { event_id: string } | null; related?: Array<{ event_id: string }>; event?: { event_id: string } }) =>
    item.kind === 'event'
      ? ['event', item.event!.event_id]
      : ['call', item.tool_call_id, item.intent?.event_id ?? null, item.execution?.event_id ?? null, item.related!.map((e) => e.event_id)],
  );
  assert.deepEqual(shape, [
    ['event', 'e0'],
    ['call', 'toolu_1', 'e1', 'e3', ['e2']],
    ['call', 'toolu_2', 'e4', null, []],
    ['call', '', null, 'e5', []],
    ['call', 'toolu_3', null, 'e6', []],
  ]);
  const first = body.items[1].intent;
  assert.equal(first.command, 'kubectl delete ns staging');
  assert.equal(first.destructive, true);
  assert.match(first.at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$/);
});

test('the timeline limit truncates and says so', async () => {
  const body = (await fx.app().inject({ method: 'GET', url: '/api/v1/sessions/s-1/timeline?limit=2', headers: auth })).json();
  assert.equal(body.events, 2);
  assert.equal(body.truncated, true);
});

test('the blast radius groups targets by kind, destructive first', async () => {
  const res = await fx.app().inject({ method: 'GET', url: '/api/v1/sessions/s-1/blast-radius', headers: auth });
  assert.equal(res.statusCode, 200);
  const body = res.json();
  assert.equal(body.targets, 4);
  assert.equal(body.destructive_targets, 3);
  assert.deepEqual(body.kinds.map((k: { kind: string; count: number; destructive: number }) => [k.kind, k.count, k.destructive]), [
    ['path', 3, 2],
    ['k8s', 1, 1],
  ]);
  const paths = body.kinds[0].targets.map((t: { target: string; destructive: boolean }) => [t.target, t.destructive]);
  assert.deepEqual(paths, [
    ['/srv/app/build', true],
    ['/srv/app/build/cache', true],
    ['/srv/app', false],
  ]);
  const k8s = body.kinds[1].targets[0];
  assert.deepEqual(k8s.counts, { events: 3, intents: 2, executions: 1, destructive: 3 });
  assert.deepEqual(k8s.action_classes, ['k8s.delete']);
});

test('unknown sessions are 404; other tenants cannot read this one', async () => {
  const app = fx.app();
  for (const path of ['timeline', 'blast-radius']) {
    const res = await app.inject({ method: 'GET', url: `/api/v1/sessions/nope/${path}`, headers: auth });
    assert.equal(res.statusCode, 404, path);
    assert.equal(res.json().error.code, 'NOT_FOUND');
    const other = await app.inject({ method: 'GET', url: `/api/v1/sessions/s-1/${path}`, headers: { authorization: `Bearer ${TOKENS.globexReader}` } });
    assert.equal(other.statusCode, 404, path);
  }
});

/**
 * Findings and target search over a real embedded ClickHouse: filters (session, detector,
 * severity floor, since), tenant scoping, and globs that match targets literally except for
 * `*` and `?` — LIKE's own wildcards in a pattern match only themselves.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeEvent } from '../../../test/infra/clickhouse-events.js';
import type { Finding } from '../../../model/finding.js';
import { openOperatorFixture, TOKENS, type OperatorFixture } from '../../../test/helpers/operator-fixture.js';

const auth = { authorization: `Bearer ${TOKENS.acmeReader}` };
const NOW_MS = Math.floor(Date.now() / 1000) * 1000;
const iso = (offsetMs: number): string => new Date(NOW_MS + offsetMs).toISOString();
const ns = (offsetMs: number): string => (BigInt(NOW_MS + offsetMs) * 1_000_000n).toString();

function finding(id: string, overrides: Partial<Finding>): Finding {
  return {
    id, tenant: 'acme', session_id: 's-1', agent_id: 'claude-code', detector: 'scope_drift', severity: 'medium', score: 0.5,
    title: `finding ${id}`, explanation: 'because', evidence: ['e1'], rule: 'scope_drift/learned', target: '', why: '', instead: '', at: iso(-60_000), ...overrides,
  };
}

let fx: OperatorFixture;

before(async () => {
  fx = await openOperatorFixture();
  await fx.insertFindings([
    finding('f1', { severity: 'low', at: iso(-7_200_000) }),
    finding('f2', { severity: 'high', detector: 'destructive_burst', score: 0.93, evidence: ['e1', 'e2', 'e3'], rule: 'destructive_burst/floor · rm_recursive (fs.delete)', target: '/srv/data', why: 'many destructive actions in a short window', instead: 'do one destructive step at a time' }),
    finding('f3', { severity: 'critical', session_id: 's-2', at: iso(-30_000) }),
    finding('f4', { tenant: 'globex', severity: 'critical' }),
  ]);
  await fx.insertEvents([
    makeEvent({ event_id: 't1', tenant: 'acme', session_id: 's-1', time_ns: ns(-5000), targets: ['k8s://prod/staging', '/srv/app/build'], destructive: true }),
    makeEvent({ event_id: 't2', tenant: 'acme', session_id: 's-2', time_ns: ns(-4000), targets: ['k8s://prod/staging-2'], destructive: false }),
    makeEvent({ event_id: 't3', tenant: 'acme', session_id: 's-3', time_ns: ns(-3000), targets: ['/srv/app_data/x', '/srv/app%/y'] }),
    makeEvent({ event_id: 't4', tenant: 'globex', session_id: 's-9', time_ns: ns(-2000), targets: ['k8s://prod/staging'] }),
  ]);
});

after(async () => {
  await fx.close();
});

async function findings(qs: string): Promise<string[]> {
  const res = await fx.app().inject({ method: 'GET', url: `/api/v1/findings?${qs}`, headers: auth });
  assert.equal(res.statusCode, 200, res.body);
  return res.json().findings.map((f: Finding) => f.id);
}

test('findings of the tenant, newest first, with the API fields', async () => {
  const res = await fx.app().inject({ method: 'GET', url: '/api/v1/findings', headers: auth });
  const body = res.json();
  assert.deepEqual(body.findings.map((f: Finding) => f.id), ['f3', 'f2', 'f1']);
  const f2 = body.findings[1];
  assert.deepEqual(Object.keys(f2).sort(), ['agent_id', 'at', 'detector', 'evidence', 'explanation', 'id', 'instead', 'rule', 'score', 'session_id', 'severity', 'target', 'tenant', 'title', 'why']);
  assert.deepEqual([f2.rule, f2.target, f2.why, f2.instead], ['destructive_burst/floor · rm_recursive (fs.delete)', '/srv/data', 'many destructive actions in a short window', 'do one destructive step at a time']);
  assert.equal(f2.score, 0.93);
  assert.deepEqual(f2.evidence, ['e1', 'e2', 'e3']);
  assert.match(f2.at, /\.\d{9}Z$/);
});

test('findings filters: session, detector, severity floor, since, limit', async () => {
  assert.deepEqual(await findings('session=s-1'), ['f2', 'f1']);
  assert.deepEqual(await findings('detector=destructive_burst'), ['f2']);
  assert.deepEqual(await findings('severity=high'), ['f3', 'f2']);
  assert.deepEqual(await findings('since=1h'), ['f3', 'f2']);
  assert.deepEqual(await findings('limit=1'), ['f3']);
  const bad = await fx.app().inject({ method: 'GET', url: '/api/v1/findings?severity=urgent', headers: auth });
  assert.equal(bad.statusCode, 400);
});

async function touching(match: string, token: string = TOKENS.acmeReader): Promise<Array<[string, string[]]>> {
  const res = await fx.app().inject({ method: 'GET', url: `/api/v1/targets?match=${encodeURIComponent(match)}`, headers: { authorization: `Bearer ${token}` } });
  assert.equal(res.statusCode, 200, res.body);
  return res.json().sessions.map((s: { session_id: string; targets: string[] }) => [s.session_id, s.targets]);
}

test('targets: a glob finds the sessions that touched matching targets', async () => {
  assert.deepEqual(await touching('k8s://prod/staging'), [['s-1', ['k8s://prod/staging']]]);
  assert.deepEqual(await touching('k8s://prod/staging*'), [
    ['s-2', ['k8s://prod/staging-2']],
    ['s-1', ['k8s://prod/staging']],
  ]);
  assert.deepEqual(await touching('k8s://*/staging-?'), [['s-2', ['k8s://prod/staging-2']]]);
  assert.deepEqual(await touching('/srv/app/**'), [['s-1', ['/srv/app/build']]]);
});

test('targets: LIKE wildcards in the pattern are literal; tenants are separate', async () => {
  assert.deepEqual(await touching('/srv/app_*'), [['s-3', ['/srv/app_data/x']]]);
  assert.deepEqual(await touching('/srv/app%/*'), [['s-3', ['/srv/app%/y']]]);
  assert.deepEqual(await touching('k8s://prod/staging', TOKENS.globexReader), [['s-9', ['k8s://prod/staging']]]);
  const onlyStars = await fx.app().inject({ method: 'GET', url: '/api/v1/targets?match=**', headers: auth });
  assert.equal(onlyStars.statusCode, 400);
});

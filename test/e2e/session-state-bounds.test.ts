/**
 * End to end, embedded mode, through main's wiring: with one live and one parked session per
 * tenant (WARDEN_MAX_SESSIONS_PER_TENANT, WARDEN_MAX_PARKED_PER_TENANT), a session that declared
 * a never-touch scope is pushed out of memory by two newer sessions of its tenant and spilled to
 * ClickHouse; its next action — a delete under that scope, sent without the declaration — is held
 * until the declaration is read back from the `sessions` table, then caught by scope_drift.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWarden, type TestWarden } from '../helpers/test-warden.js';
import { waitFor } from '../helpers/wait-for.js';
import { encodeOtlp } from '../../decode/otlp/index.js';
import { toolSpan } from '../helpers/tool-span.js';

let warden: TestWarden;

before(async () => {
  warden = await startTestWarden({ WARDEN_MAX_SESSIONS_PER_TENANT: '1', WARDEN_MAX_PARKED_PER_TENANT: '1' });
});
after(async () => {
  await warden?.cleanup();
});

async function send(sessionId: string, command: string, resource: Record<string, string | string[]> = {}): Promise<void> {
  const body = encodeOtlp('traces', [toolSpan(sessionId, command, resource)], 'otlp_proto');
  const res = await fetch(`${warden.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body });
  assert.equal(res.status, 200);
}

test("a spilled session's never-touch scope is reloaded from ClickHouse before its next action is judged", async () => {
  const registry = warden.detection.registry;
  await send('guarded', 'git status', { 'warden.scope.deny': ['/srv/prod/**'], 'warden.session.goal': 'fix the flaky test' });
  await waitFor(async () => registry.custody('default', 'guarded'), (c) => c === 'live', { what: 'the guarded session' });
  await send('second', 'ls', { 'warden.session.goal': 'tidy the docs' });
  await waitFor(async () => registry.custody('default', 'guarded'), (c) => c === 'parked', { what: 'the guarded session parked' });
  await send('third', 'ls', { 'warden.session.goal': 'bump a dependency' });
  await waitFor(async () => registry.custody('default', 'guarded'), (c) => c === 'spilled', { what: 'the guarded session spilled' });

  await send('guarded', 'rm -rf /srv/prod/db');
  const findings = await waitFor(
    async () => {
      const rs = await warden.storage.client.query({ query: "SELECT detector, severity, title FROM findings WHERE session_id = 'guarded'", format: 'JSONEachRow' });
      return rs.json<{ detector: string; severity: string; title: string }>();
    },
    (rows) => rows.some((r) => r.detector === 'scope_drift'),
    { what: 'the scope_drift finding in ClickHouse' },
  );
  assert.ok(findings.some((r) => r.detector === 'scope_drift' && r.severity === 'critical'), JSON.stringify(findings));
  const back = registry.get('default', 'guarded');
  assert.deepEqual(back?.scope_deny, ['/srv/prod/**']);
  assert.equal(back?.goal, 'fix the flaky test');
  const reloads = (await warden.metrics.registry.getSingleMetric('warden_session_reloads_total')?.get())?.values ?? [];
  assert.deepEqual(reloads.map((v) => [v.labels.outcome, v.value]), [['loaded', 1]]);
});

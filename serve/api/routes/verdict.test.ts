/**
 * The hooks' verdict fails closed on a session whose state Warden knew but no longer holds: with
 * one live and one parked session per tenant, a third declared session spills the first; its
 * verdict denies while the state is being reloaded (and starts the reload), and — with no
 * storage to read it back from — keeps denying, saying the state is gone, until an operator
 * reinstates the session. Live and never-seen sessions are allowed as before. Real registry,
 * fake clock, and the verdict route alone on a fastify of its own (with `warden-auth` and the
 * API's conventions): the registry here has no storage behind it, which the assembly always gives.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import Fastify from 'fastify';
import { authPlugin } from '../plugins/auth.js';
import { errorAnswerer, useApiConventions } from '../plugins/api-conventions.js';
import { TokenRegistry } from '../../../config/tokens.js';
import { SessionRegistry } from '../../../detect/session/session-registry.js';
import { newSession, stepEvent } from '../../../detect/testing/scenario.js';
import { FakeClock } from '../../../lib/clock.js';
import { silentLogger } from '../../../lib/logger.js';
import { Metrics } from '../../../lib/metrics.js';
import { registerVerdictRoute } from './verdict.js';

const TOKEN = 'wdn_test_verdict_ingest_00000';
const clock = new FakeClock(Date.UTC(2026, 10, 21, 9));
const metrics = new Metrics();
const registry = new SessionRegistry({ clock, metrics, maxSessionsPerTenant: 1, maxParkedPerTenant: 1 });
const app = Fastify({ logger: false });
useApiConventions(app, errorAnswerer({ logger: silentLogger, metrics }));
app.register(authPlugin, { tokens: new TokenRegistry([{ name: 'hook', token: TOKEN, tenant: 'acme', roles: ['ingest'] }]), ingestRequiresToken: false });
app.register(async (api) => registerVerdictRoute(api, { revocations: registry, sessions: registry }));
after(() => app.close());

function observe(id: string, scope_deny: string[]): void {
  clock.advance(100);
  const s = { ...newSession({ name: id, session: { tenant: 'acme' }, steps: [] }, clock.now()), id };
  registry.observe(stepEvent({ command: 'ls', set: { scope_deny } }, 0, s, clock.now()));
}

async function verdict(id: string): Promise<{ allow: boolean; reason: string }> {
  const res = await app.inject({ method: 'GET', url: `/api/v1/sessions/${id}/verdict?tool=Bash&command=ls`, headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(res.statusCode, 200);
  return res.json();
}

test('a session whose state was evicted and cannot be reloaded is denied, saying why', async () => {
  observe('first', ['/srv/prod/**']);
  observe('second', ['/srv/billing/**']);
  observe('third', ['/home/**']);
  assert.equal(registry.custody('acme', 'first'), 'spilled');

  const reloading = await verdict('first');
  assert.equal(reloading.allow, false);
  assert.match(reloading.reason, /reloading this session's state/);

  const gone = await verdict('first');
  assert.equal(gone.allow, false);
  assert.match(gone.reason, /no longer holds this session's state .*could not be reloaded/);
  assert.equal(registry.lostReason('acme', 'first'), 'no_storage');

  assert.deepEqual(await verdict('third'), { allow: true, reason: 'session is active' }, 'live');
  assert.deepEqual(await verdict('second'), { allow: true, reason: 'session is active' }, 'parked: its declarations are in memory');
  assert.deepEqual(await verdict('never-seen'), { allow: true, reason: 'session is active' });

  registry.markReinstated('acme', 'first');
  assert.deepEqual(await verdict('first'), { allow: true, reason: 'session is active' }, 'an operator reinstated it');
});

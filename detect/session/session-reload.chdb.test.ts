/**
 * Sessions spilled out of memory and read back, through the real engine, registry, detectors and
 * ClickHouse session store (chdb), under a fake clock: caps of one live and one parked session
 * per tenant push a session's declarations out to the `sessions` table; its next event is held
 * until they are reloaded and then judged against them (a never-touch scope, a revocation). A
 * session whose state cannot be read back is marked lost — still watched, and its verdict denies —
 * and the hold is bounded.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { verdictFor } from '../../serve/api/routes/verdict.js';
import { migrate } from '../../store/index.js';
import { FakeClock } from '../../lib/clock.js';
import { silentLogger } from '../../lib/logger.js';
import { Metrics } from '../../lib/metrics.js';
import { openTempChdb, type TempChdb } from '../../test/infra/clickhouse-chdb.js';
import { DetectionEngine } from '../engine/detection-engine.js';
import { ClickHouseSessionStore } from '../../store/detection-stores.js';
import type { Finding } from '../../model/finding.js';
import { defaultPolicy } from '../policy/load-policy.js';
import { newSession, stepEvent } from '../testing/scenario.js';
import { SessionRegistry } from './session-registry.js';

const START = Date.UTC(2026, 10, 21, 9);
let chdb: TempChdb;
const closers: Array<() => Promise<void>> = [];

before(async () => {
  chdb = await openTempChdb('warden_reload_test');
  await migrate(chdb.handle, { ttlDays: 3650 });
});
after(async () => {
  for (const close of closers) await close();
  await chdb?.cleanup();
});

/** One live and one parked session per tenant, so a third declared session spills the first. */
function setup(options: { persist: boolean; maxHeldEvents?: number; maxRevocationsPerTenant?: number }) {
  const clock = new FakeClock(START);
  const metrics = new Metrics();
  const store = new ClickHouseSessionStore(chdb.handle, { logger: silentLogger, metrics, clock, flushIntervalMs: 60_000 });
  closers.push(() => store.close());
  const registry = new SessionRegistry({
    clock,
    metrics,
    maxSessionsPerTenant: 1,
    maxParkedPerTenant: 1,
    ...(options.maxRevocationsPerTenant ? { maxRevocationsPerTenant: options.maxRevocationsPerTenant } : {}),
    ...(options.persist ? { onStateChange: (s) => store.touch(s), onSpill: (p) => store.park(p) } : {}),
    loader: (tenant, id) => store.load(tenant, id),
  });
  const found: Finding[] = [];
  const engine = new DetectionEngine({
    registry,
    policy: defaultPolicy(),
    clock,
    logger: silentLogger,
    metrics,
    onFinding: (f) => void found.push(f),
    ...(options.persist ? { sessions: store } : {}),
    ...(options.maxHeldEvents ? { maxHeldEvents: options.maxHeldEvents } : {}),
  });
  let n = 0;
  const send = async (tenant: string, id: string, command: string, set: Parameters<typeof stepEvent>[0]['set'] = {}) => {
    clock.advance(100);
    const s = newSession({ name: id, session: { tenant }, steps: [] }, START);
    await engine.consume([stepEvent({ command, cwd: '/srv', set: { session_id: id, event_id: `${tenant}-${id}-${n++}`, ...set } }, n, { ...s, id }, clock.now())]);
  };
  return { clock, metrics, registry, engine, found, send };
}

async function counted(metrics: Metrics, name: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const v of (await metrics.registry.getSingleMetric(name)?.get())?.values ?? []) out[Object.values(v.labels).join('/')] = v.value;
  return out;
}

describe('sessions spilled to ClickHouse and reloaded (chdb)', () => {
  it('holds the next event of a spilled session until its never-touch scope is reloaded, then catches the delete', async () => {
    const t = setup({ persist: true });
    await t.send('acme', 'guarded', 'git status', { scope_deny: ['/srv/prod/**'], goal: 'fix the flaky test' });
    await t.send('acme', 'second', 'ls', { goal: 'tidy docs' });
    await t.send('acme', 'third', 'ls', { goal: 'bump a dependency' });
    assert.equal(t.registry.custody('acme', 'guarded'), 'spilled');

    await t.send('acme', 'guarded', 'rm -rf /srv/prod/db');
    assert.equal(t.found.filter((f) => f.session_id === 'guarded').length, 0, 'not judged before its declarations are back');
    assert.equal(t.engine.heldEvents, 1);
    await t.engine.drain();
    const hits = t.found.filter((f) => f.session_id === 'guarded' && f.detector === 'scope_drift');
    assert.equal(hits.length, 1);
    assert.match(JSON.stringify(hits[0]), /\/srv\/prod\/\*\*/);
    const back = t.registry.get('acme', 'guarded')!;
    assert.deepEqual([back.goal, back.counts.events], ['fix the flaky test', 2]);
    assert.equal(t.engine.heldEvents, 0);
    assert.deepEqual(await counted(t.metrics, 'warden_session_reloads_total'), { loaded: 1 });
  });

  it('keeps a revocation through the spill: the reloaded session is still revoked', async () => {
    const t = setup({ persist: true, maxRevocationsPerTenant: 1 });
    await t.send('globex', 'revoked', 'git status', { goal: 'read the logs' });
    t.registry.markRevoked('globex', 'revoked', { at: '2026-11-21T09:00:00.150000000Z', by: 'operator:ops', reason: 'wiped a bucket', finding_id: null });
    t.registry.markRevoked('globex', 'elsewhere', { at: '2026-11-21T09:00:00.160000000Z', by: 'operator:ops', reason: 'pushes the first out of memory', finding_id: null });
    await t.send('globex', 'second', 'ls', { goal: 'x' });
    await t.send('globex', 'third', 'ls', { goal: 'y' });
    assert.equal(t.registry.custody('globex', 'revoked'), 'spilled');
    assert.equal(t.registry.revocationOf('globex', 'revoked'), null, 'no longer in memory');

    await t.send('globex', 'revoked', 'ls');
    await t.engine.drain();
    const s = t.registry.get('globex', 'revoked')!;
    assert.equal(s.state, 'revoked');
    assert.equal(s.revoked?.reason, 'wiped a bucket');
    assert.ok(t.found.some((f) => f.session_id === 'revoked' && f.detector === 'post_revocation_activity'));
  });

  it('marks a session lost when its spilled state is not in storage: still judged, verdict denies', async () => {
    const t = setup({ persist: false });
    await t.send('initech', 'unsaved', 'git status', { scope_deny: ['/srv/prod/**'] });
    await t.send('initech', 'second', 'ls', { goal: 'x' });
    await t.send('initech', 'third', 'ls', { goal: 'y' });
    assert.equal(t.registry.custody('initech', 'unsaved'), 'spilled');
    const reloading = verdictFor({ revocations: t.registry, sessions: t.registry }, 'initech', 'unsaved', 'Bash', 'ls');
    assert.equal(reloading.allow, false);
    assert.match(reloading.reason, /reloading this session's state/);

    await t.send('initech', 'unsaved', 'ls /srv');
    await t.engine.drain();
    assert.equal(t.registry.custody('initech', 'unsaved'), 'lost');
    assert.equal(t.registry.get('initech', 'unsaved')?.counts.events, 1, 'its event was judged, not dropped');
    const verdict = verdictFor({ revocations: t.registry, sessions: t.registry }, 'initech', 'unsaved', 'Bash', 'ls');
    assert.equal(verdict.allow, false);
    assert.match(verdict.reason, /no longer holds this session's state/);
    assert.deepEqual(await counted(t.metrics, 'warden_session_reloads_total'), { not_found: 1 });
    assert.deepEqual(await counted(t.metrics, 'warden_session_state_lost_total'), { 'initech/not_found': 1 });
  });

  it('bounds the hold: past its events cap the session is marked lost and its events judged in order', async () => {
    const t = setup({ persist: true, maxHeldEvents: 2 });
    await t.send('umbrella', 'busy', 'git status', { scope_deny: ['/srv/prod/**'] });
    await t.send('umbrella', 'second', 'ls', { goal: 'x' });
    await t.send('umbrella', 'third', 'ls', { goal: 'y' });
    await t.send('umbrella', 'busy', 'ls');
    await t.send('umbrella', 'busy', 'ls');
    assert.equal(t.engine.heldEvents, 2);
    await t.send('umbrella', 'busy', 'ls');
    assert.equal(t.engine.heldEvents, 0);
    assert.equal(t.registry.get('umbrella', 'busy')?.counts.events, 3);
    assert.equal(t.registry.lostReason('umbrella', 'busy'), 'hold_full');
    await t.engine.drain();
    assert.equal(t.registry.custody('umbrella', 'busy'), 'lost');
  });
});

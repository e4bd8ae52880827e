/**
 * The session registry under a fake clock: declarations (first value wins, session events update
 * explicitly), counts, the bounded recent list, idle expiry, LRU eviction, listing, revocations
 * that outlive a session or precede it, and per-tenant bounds: a tenant's cap evicts only its own
 * sessions, the global cap takes from the tenant holding the most, evicted declarations and
 * revocations are parked and restored, spilled past the parked cap, and lost (counted, custody
 * `lost`) when they cannot be read back.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AuditEvent } from '../../model/audit-event.js';
import { FakeClock } from '../../lib/clock.js';
import { Metrics } from '../../lib/metrics.js';
import { newSession, stepEvent, type ScenarioStep } from '../testing/scenario.js';
import { SessionRegistry } from './session-registry.js';

let n = 0;
function event(sessionId: string, step: ScenarioStep = { command: 'ls' }, set: Partial<AuditEvent> = {}): AuditEvent {
  const s = newSession({ name: sessionId, steps: [] }, 0);
  return { ...stepEvent({ ...step, set: { session_id: sessionId, event_id: `e${n++}`, ...set } }, 0, s, 0) };
}

function ids(r: SessionRegistry, tenant: string): string[] {
  return r.list({ tenant, limit: 100 }).map((s) => s.id);
}

async function counted(metrics: Metrics, name: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const v of (await metrics.registry.getSingleMetric(name)?.get())?.values ?? []) out[Object.values(v.labels).join('/')] = v.value;
  return out;
}

const revocation = { at: '2026-11-21T09:00:00.000000000Z', by: 'operator:alice', reason: 'test', finding_id: null };

describe('SessionRegistry', () => {
  it('keeps the first declaration unless a session event updates it', () => {
    const r = new SessionRegistry({ clock: new FakeClock() });
    r.observe(event('s', {}, { goal: 'fix the build', environment: 'dev', scope_allow: ['/repo/**'] }));
    r.observe(event('s', {}, { goal: 'delete prod', environment: 'prod', scope_allow: ['/**'] }));
    let s = r.get('default', 's')!;
    assert.deepEqual([s.goal, s.environment, s.scope_allow], ['fix the build', 'dev', ['/repo/**']]);
    r.observe(event('s', { phase: 'session' }, { goal: 'fix the build and deploy', environment: 'staging' }));
    s = r.get('default', 's')!;
    assert.deepEqual([s.goal, s.environment, s.scope_allow], ['fix the build and deploy', 'staging', ['/repo/**']]);
  });

  it('counts events by phase and destructiveness and bounds the recent list', () => {
    const r = new SessionRegistry({ clock: new FakeClock(), recentSize: 3 });
    const seen = [];
    for (const step of [{ phase: 'intent' as const, command: 'rm -rf /srv/x' }, { command: 'rm -rf /srv/x' }, { command: 'ls' }, { command: 'ls' }]) {
      const e = event('s', step);
      r.remember(r.observe(e), e);
      seen.push(e);
    }
    const s = r.get('default', 's')!;
    assert.deepEqual(s.counts, { events: 4, intents: 1, executions: 3, destructive: 2 });
    assert.equal(s.recentIds.length, 3);
    assert.deepEqual(s.recentIds, seen.slice(1).map((e) => e.event_id));
    assert.ok(r.isDuplicate(seen[3]!));
    assert.ok(!r.isDuplicate(seen[0]!), 'the oldest id left the bounded list');
    assert.ok(!r.isDuplicate(event('s')));
  });

  it('expires idle sessions and evicts the least recently seen past the cap', () => {
    const clock = new FakeClock();
    const r = new SessionRegistry({ clock, idleMs: 60_000, maxSessions: 2 });
    r.observe(event('a'));
    clock.advance(10_000);
    r.observe(event('b'));
    clock.advance(10_000);
    r.observe(event('a'));
    r.observe(event('c'));
    assert.deepEqual(r.list({ tenant: 'default', limit: 10 }).map((s) => s.id), ['c', 'a']);
    clock.advance(61_000);
    r.observe(event('d'));
    assert.deepEqual(r.list({ tenant: 'default', limit: 10 }).map((s) => s.id), ['d']);
  });

  it('remembers revocations for sessions expired or not seen yet, and lifts them', () => {
    const clock = new FakeClock();
    const changed: string[] = [];
    const r = new SessionRegistry({ clock, idleMs: 1000, onStateChange: (s) => changed.push(`${s.id}:${s.state}`) });
    r.markRevoked('default', 'later', revocation);
    assert.equal(r.observe(event('later')).state, 'revoked');
    r.observe(event('gone'));
    r.markRevoked('default', 'gone', revocation);
    clock.advance(5000);
    r.expire();
    assert.equal(r.get('default', 'gone'), undefined);
    const again = r.observe(event('gone'));
    assert.equal(again.state, 'revoked');
    assert.deepEqual(again.revoked, revocation);
    r.markReinstated('default', 'gone');
    assert.equal(again.state, 'active');
    assert.equal(r.revocationOf('default', 'gone'), null);
    assert.deepEqual(changed, ['gone:revoked', 'gone:active']);
    assert.deepEqual(r.list({ tenant: 'default', state: 'active', limit: 10 }).map((s) => s.id), ['gone']);
    assert.equal(r.list({ tenant: 'default', state: 'revoked', limit: 10 }).length, 0, 'the revoked session expired');
  });

  it("caps each tenant: a tenant's new sessions evict only that tenant's least recently seen", async () => {
    const clock = new FakeClock();
    const metrics = new Metrics();
    const r = new SessionRegistry({ clock, metrics, maxSessions: 100, maxSessionsPerTenant: 2 });
    r.observe(event('a1', {}, { tenant: 'a' }));
    for (const id of ['b1', 'b2', 'b3', 'b4']) {
      clock.advance(10);
      r.observe(event(id, {}, { tenant: 'b' }));
    }
    assert.deepEqual(ids(r, 'a'), ['a1']);
    assert.deepEqual(ids(r, 'b'), ['b4', 'b3']);
    assert.deepEqual(await counted(metrics, 'warden_session_evictions_total'), { 'b/tenant_cap': 2 });
  });

  it('past the global cap, takes from the tenant holding the most', async () => {
    const clock = new FakeClock();
    const metrics = new Metrics();
    const r = new SessionRegistry({ clock, metrics, maxSessions: 4, maxSessionsPerTenant: 10 });
    for (const [tenant, id] of [['a', 'a1'], ['b', 'b1'], ['b', 'b2'], ['b', 'b3'], ['c', 'c1']]) {
      clock.advance(10);
      r.observe(event(id!, {}, { tenant: tenant! }));
    }
    assert.deepEqual([ids(r, 'a'), ids(r, 'b'), ids(r, 'c')], [['a1'], ['b3', 'b2'], ['c1']], "b (the largest) gave up its oldest, not a's older session");
    clock.advance(10);
    r.observe(event('a2', {}, { tenant: 'a' })); // a and b now tie at two: the one not just written gives
    assert.deepEqual([ids(r, 'a'), ids(r, 'b'), ids(r, 'c')], [['a2', 'a1'], ['b3'], ['c1']]);
    assert.deepEqual(await counted(metrics, 'warden_session_evictions_total'), { 'b/global_cap': 2 });
    assert.equal(r.size, 4);
  });

  it('parks the declarations, counts and revocation of an evicted session and restores them when it is seen again', () => {
    const clock = new FakeClock();
    const r = new SessionRegistry({ clock, maxSessionsPerTenant: 1, maxRevocationsPerTenant: 1 });
    r.observe(event('guarded', {}, { scope_deny: ['/srv/prod/**'], goal: 'fix the build', environment: 'dev' }));
    r.observe(event('guarded', { command: 'rm -rf /srv/x' }));
    r.markRevoked('default', 'guarded', revocation);
    clock.advance(1000);
    r.observe(event('other'));
    assert.equal(r.custody('default', 'guarded'), 'parked');
    assert.equal(r.get('default', 'guarded'), undefined);
    r.markRevoked('default', 'third', { ...revocation, reason: 'pushes the first revocation out of its map' });
    assert.equal(r.revocationOf('default', 'guarded'), null, 'the revocation map let it go');

    clock.advance(1000);
    const back = r.observe(event('guarded'));
    assert.deepEqual([back.scope_deny, back.goal, back.environment], [['/srv/prod/**'], 'fix the build', 'dev']);
    assert.deepEqual([back.counts.events, back.counts.destructive], [3, 1]);
    assert.equal(back.state, 'revoked', 'the parked record kept its revocation');
    assert.deepEqual(back.revoked, revocation);
    assert.equal(r.custody('default', 'guarded'), 'live');
    assert.equal(r.custody('default', 'other'), 'unknown', 'nothing declared: nothing to park');
  });

  it('spills parked records past the parked cap and marks them lost when they cannot be read back', async () => {
    const clock = new FakeClock();
    const metrics = new Metrics();
    const spilled: string[] = [];
    const r = new SessionRegistry({ clock, metrics, maxSessionsPerTenant: 1, maxParkedPerTenant: 1, onSpill: (p) => spilled.push(`${p.id}:${p.scope_deny.join()}`) });
    for (const id of ['s1', 's2', 's3']) {
      clock.advance(10);
      r.observe(event(id, {}, { scope_deny: [`/${id}/**`] }));
    }
    assert.deepEqual(spilled, ['s1:/s1/**']);
    assert.deepEqual([r.custody('default', 's1'), r.custody('default', 's2'), r.custody('default', 's3')], ['spilled', 'parked', 'live']);
    assert.ok(r.needsReload('default', 's1'));
    await r.reload('default', 's1'); // no loader: nothing can read it back
    assert.equal(r.custody('default', 's1'), 'lost');
    assert.equal(r.lostReason('default', 's1'), 'no_storage');
    r.observe(event('s1'));
    assert.equal(r.custody('default', 's1'), 'lost', 'still lost once live again without its declarations');
    r.markReinstated('default', 's1');
    assert.equal(r.custody('default', 's1'), 'live', "an operator's reinstatement clears it");
    assert.deepEqual(await counted(metrics, 'warden_session_evictions_total'), { 'default/tenant_cap': 3, 'default/declarations_spilled': 2 });
    assert.deepEqual(await counted(metrics, 'warden_session_state_lost_total'), { 'default/no_storage': 1 });
  });

  it('expires idle parked and spilled records with the sessions', () => {
    const clock = new FakeClock();
    const r = new SessionRegistry({ clock, idleMs: 60_000, maxSessionsPerTenant: 1, maxParkedPerTenant: 1 });
    for (const id of ['s1', 's2', 's3']) r.observe(event(id, {}, { goal: `goal ${id}` }));
    assert.deepEqual(r.stats(), { live: 1, parked: 1, spilled: 1, lost: 0, revocations: 0 });
    clock.advance(60_000);
    assert.equal(r.expire(), 1);
    assert.deepEqual(r.stats(), { live: 0, parked: 0, spilled: 0, lost: 0, revocations: 0 });
    assert.equal(r.observe(event('s2')).goal, '', 'an expired session starts over');
  });
});

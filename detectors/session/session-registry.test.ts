/**
 * The session registry under a fake clock: declarations (first value wins, session events update
 * explicitly), counts, the bounded recent list, idle expiry, LRU eviction, listing, and
 * revocations that outlive a session or precede it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AuditEvent } from '../../ingest/audit-event.js';
import { FakeClock } from '../../lib/clock.js';
import { newSession, stepEvent, type ScenarioStep } from '../testing/scenario.js';
import { SessionRegistry } from './session-registry.js';

let n = 0;
function event(sessionId: string, step: ScenarioStep = { command: 'ls' }, set: Partial<AuditEvent> = {}): AuditEvent {
  const s = newSession({ name: sessionId, steps: [] }, 0);
  return { ...stepEvent({ ...step, set: { session_id: sessionId, event_id: `e${n++}`, ...set } }, 0, s, 0) };
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
    for (const step of [{ phase: 'intent' as const, command: 'rm -rf /srv/x' }, { command: 'rm -rf /srv/x' }, { command: 'ls' }, { command: 'ls' }]) {
      const e = event('s', step);
      r.remember(r.observe(e), e);
    }
    const s = r.get('default', 's')!;
    assert.deepEqual(s.counts, { events: 4, intents: 1, executions: 3, destructive: 2 });
    assert.equal(s.recent.length, 3);
    assert.ok(r.isDuplicate(s.recent[2]!));
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
});

/**
 * Pending intents: pairing by id, by order and similarity, merging duplicate reports, and the
 * two bounds (expiry by the injected clock, the cap on pending intents).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AuditEvent } from '../../model/audit-event.js';
import { newSession, stepEvent, type ScenarioStep } from '../testing/scenario.js';
import { INTENT_MISMATCH_DEFAULTS } from './config.js';
import { PendingIntents, toPending } from './pending.js';

const session = newSession({ name: 'p', steps: [] }, 0);
let n = 0;
const ev = (step: ScenarioStep): AuditEvent => stepEvent(step, n++, session, 0);
const intent = (command: string, id = ''): AuditEvent => ev({ command, phase: 'intent', tool_call_id: id });
const exec = (command: string, id = ''): AuditEvent => ev({ command, tool_call_id: id });

describe('PendingIntents', () => {
  it('pairs by call id first', () => {
    const p = new PendingIntents(INTENT_MISMATCH_DEFAULTS);
    p.add(toPending(intent('ls', 'a'), 0));
    p.add(toPending(intent('rm -rf build', 'b'), 0));
    assert.equal(p.take(exec('rm -rf dist', 'b'))?.command, 'rm -rf build');
    assert.equal(p.size, 1);
  });
  it('does not pair calls whose ids both exist and differ', () => {
    const p = new PendingIntents(INTENT_MISMATCH_DEFAULTS);
    p.add(toPending(intent('rm -rf build', 'a'), 0));
    assert.equal(p.take(exec('rm -rf build', 'z')), undefined);
  });
  it('pairs without ids by the most similar command among the oldest', () => {
    const p = new PendingIntents(INTENT_MISMATCH_DEFAULTS);
    p.add(toPending(intent('npm test'), 0));
    p.add(toPending(intent('git status'), 0));
    p.add(toPending(intent('kubectl delete pod web-1 -n shop'), 0));
    assert.equal(p.take(exec('kubectl delete pod web-2 -n shop'))?.command, 'kubectl delete pod web-1 -n shop');
    assert.equal(p.take(exec('terraform destroy')), undefined, 'too dissimilar to either remaining intent');
    p.take(exec('git status'));
    assert.equal(p.take(exec('npm run test'))?.command, 'npm test', 'a lone candidate of the same tool pairs by order');
  });
  it('merges a second report of one intent', () => {
    const p = new PendingIntents(INTENT_MISMATCH_DEFAULTS);
    p.add(toPending(ev({ tool: 'Bash', phase: 'intent', tool_call_id: 'c' }), 0));
    p.add(toPending(ev({ command: 'git push --force origin main', phase: 'intent', tool_call_id: 'c', set: { decision: 'reject' } }), 0));
    const got = p.take(exec('git push --force origin main', 'c'));
    assert.equal(got?.command, 'git push --force origin main');
    assert.equal(got?.denied, true);
    assert.equal(got?.action_class, 'git.force_push');
  });
  it('expires intents older than the window', () => {
    const p = new PendingIntents({ ...INTENT_MISMATCH_DEFAULTS, window_ms: 1000 });
    p.add(toPending(intent('ls', 'a'), 0));
    p.add(toPending(intent('ls', 'b'), 900));
    p.expire(1500);
    assert.equal(p.size, 1);
    assert.equal(p.take(exec('ls', 'a')), undefined);
  });
  it('keeps at most max_pending intents', () => {
    const p = new PendingIntents({ ...INTENT_MISMATCH_DEFAULTS, max_pending: 3, pair_window: 3 });
    for (let i = 0; i < 10; i++) p.add(toPending(intent(`echo ${i}`, `id${i}`), 0));
    assert.equal(p.size, 3);
    assert.equal(p.take(exec('echo 0', 'id0')), undefined);
    assert.ok(p.take(exec('echo 9', 'id9')));
  });
});

/**
 * An intent keyed by its tool call (its id derived from the call, normalize/event-id.ts) is judged
 * once by the engine, whichever copy comes first: a later copy — the gate's after the stream's,
 * or one past the session's recent list — is a duplicate, counted by nobody, and `evaluate`
 * answers it with the findings the first copy produced (so the gate decides it as the stream
 * judged it). A bare receipt (no command, no arguments) judged first does not hide the command of
 * the copy that carries it. Real detectors and classifier, fake clock.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AuditEvent } from '../../model/audit-event.js';
import { FakeClock } from '../../lib/clock.js';
import { silentLogger } from '../../lib/logger.js';
import { Metrics } from '../../lib/metrics.js';
import type { Finding } from '../../model/finding.js';
import { defaultPolicy } from '../policy/load-policy.js';
import { SessionRegistry } from '../session/session-registry.js';
import { newSession, stepEvent } from '../testing/scenario.js';
import { DetectionEngine } from './detection-engine.js';

const START = Date.UTC(2026, 10, 21, 9);

function setup(recentSize?: number) {
  const clock = new FakeClock(START);
  const registry = new SessionRegistry({ clock, ...(recentSize ? { recentSize } : {}) });
  const found: Finding[] = [];
  const engine = new DetectionEngine({ registry, policy: defaultPolicy(), clock, logger: silentLogger, metrics: new Metrics(), onFinding: (f) => void found.push(f) });
  const session = newSession({ name: 'once', steps: [] }, START);
  let i = 0;
  /** An intent of call `callId`: its id is the call's, as normalize derives it. */
  const intent = (callId: string, command: string, over: Partial<AuditEvent> = {}): AuditEvent => {
    clock.advance(200);
    return stepEvent({ command, phase: 'intent', tool_call_id: callId, set: { event_id: `call-id-${callId}`, ...over } }, i++, session, clock.now());
  };
  const counts = () => registry.get('default', session.id)!.counts;
  return { clock, engine, found, intent, counts };
}

describe('an intent keyed by its tool call', () => {
  it('judged by the stream first: the gate’s copy is answered with the stream’s findings and counted by nobody', async () => {
    const t = setup();
    await t.engine.consume([t.intent('c1', 'rm -rf /srv/app/a')]);
    const before = t.found.length;
    await t.engine.consume([t.intent('c2', 'rm -rf /srv/app/b')]);
    const fromC2 = t.found.slice(before);
    assert.ok(fromC2.some((f) => f.detector === 'destructive_burst'), 'two deletes reach the high floor');
    const atGate = t.engine.evaluate(t.intent('c2', 'rm -rf /srv/app/b', { source: 'hook', name: 'PreToolUse' }));
    assert.deepEqual(atGate?.map((f) => f.id), fromC2.map((f) => f.id));
    assert.equal(t.counts().intents, 2);
    assert.equal(t.found.length, before + fromC2.length, 'nothing found twice');
  });

  it('stays judged once it has left the session’s recent events', async () => {
    const t = setup(2);
    await t.engine.consume([t.intent('c1', 'ls /srv'), t.intent('c2', 'ls /srv/a'), t.intent('c3', 'ls /srv/b')]);
    await t.engine.consume([t.intent('c1', 'ls /srv', { source: 'claude_code' })]);
    assert.equal(t.counts().intents, 3);
  });

  it('a bare receipt judged first does not hide the command of the copy that carries it', async () => {
    const t = setup();
    await t.engine.consume([t.intent('c1', 'rm -rf /srv/app/a')]);
    await t.engine.consume([t.intent('c2', '', { arguments: '', destructive: false, targets: [], rule_ids: [], action_class: 'none', severity: 'none' })]);
    const before = t.found.length;
    assert.ok(!t.found.some((f) => f.detector === 'destructive_burst'), 'one delete is no burst');
    const atGate = t.engine.evaluate(t.intent('c2', 'rm -rf /srv/app/b'));
    assert.ok(atGate?.some((f) => f.detector === 'destructive_burst'), 'the command is judged: the second delete makes the burst');
    // Once the action is judged, neither copy is judged again.
    assert.deepEqual(t.engine.evaluate(t.intent('c2', 'rm -rf /srv/app/b')), atGate);
    assert.deepEqual(t.engine.evaluate(t.intent('c2', '', { arguments: '' })), atGate);
    assert.equal(t.found.length, before + atGate!.length);
  });
});

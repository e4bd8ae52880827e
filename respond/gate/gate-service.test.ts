/**
 * The gate over the real detection engine, detectors, classifier and session registry, with a
 * fake clock: a session's declared never-touch scope denies `rm -rf` into it before it runs while
 * the same session's work elsewhere is allowed; the intent is judged once (a retried hook gets
 * the same decision); an operator's allow-once lets the identical call through once without
 * acting on its findings; monitor mode records what it would have answered; a session whose state
 * is lost is denied (fail closed); a medium finding asks, or denies for an agent that cannot ask.
 * Allow-once also for a call without a command (matched by its arguments); with a memory store
 * (gate-memory.ts; here one that can be made to fail, standing for storage being down): a grant
 * that cannot be stored allows nothing, and a grant whose use cannot be stored denies the call
 * without using the grant, which the retry then uses.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../../lib/clock.js';
import { silentLogger } from '../../lib/logger.js';
import { Metrics } from '../../lib/metrics.js';
import { DetectionEngine } from '../../detect/engine/detection-engine.js';
import type { Finding } from '../../model/finding.js';
import { defaultPolicy, parsePolicyText } from '../../detect/policy/load-policy.js';
import type { Policy } from '../../detect/policy/policy-types.js';
import { SessionRegistry } from '../../detect/session/session-registry.js';
import { newSession, stepEvent } from '../../detect/testing/scenario.js';
import { Gate, type GateDecision } from './gate-service.js';
import type { GateMemoryStore, Grant } from './gate-memory.js';
import { RetryableError } from '../../lib/errors.js';

/** A memory store in this process whose writes fail while `down` (storage unavailable). */
class SwitchableMemory implements GateMemoryStore {
  down = false;
  readonly grants = new Map<string, Grant>();
  private check(): Promise<void> {
    return this.down ? Promise.reject(new RetryableError('STORAGE_UNAVAILABLE', 'storage is down (test)')) : Promise.resolve();
  }
  async saveGrant(grant: Grant): Promise<void> {
    await this.check();
    this.grants.set(grant.grant_id, grant);
  }
  async consumedBy(grant: Grant): Promise<string | null> {
    await this.check();
    return this.grants.get(grant.grant_id)?.consumed_event || null;
  }
  async consume(grant: Grant): Promise<void> {
    await this.check();
    this.grants.set(grant.grant_id, grant);
  }
  addStopped(): void {}
}

const START = Date.UTC(2026, 11, 2, 9);

function setup(policy: Policy = defaultPolicy(), memory?: GateMemoryStore) {
  const clock = new FakeClock(START);
  const metrics = new Metrics();
  const registry = new SessionRegistry({ clock });
  const acted: Finding[] = [];
  const engine = new DetectionEngine({ registry, policy, clock, logger: silentLogger, metrics, onFinding: (f) => void acted.push(f) });
  const stored: GateDecision[] = [];
  const gate = new Gate({ engine, clock, logger: silentLogger, metrics, decisions: { add: (d) => stored.push(d) }, ...(memory ? { memory } : {}) });
  const session = newSession({ name: 'gate', steps: [] }, START);
  let i = 0;
  const declare = () => engine.consume([stepEvent({ phase: 'session', set: { scope_deny: ['/srv/prod/**'], goal: 'Tidy the build output in /home/dev/repo' } }, i++, session, clock.now())]);
  const intent = (command: string, afterMs = 2_000) => {
    clock.advance(afterMs);
    return stepEvent({ command, phase: 'intent' }, i++, session, clock.now());
  };
  const write = (filePath: string) => {
    clock.advance(2_000);
    return stepEvent({ tool: 'Write', arguments: { file_path: filePath, content: 'x' }, phase: 'intent' }, i++, session, clock.now());
  };
  return { clock, metrics, registry, engine, gate, session, acted, stored, declare, intent, write };
}

describe('the gate over the detection engine', () => {
  it('denies an action into the never-touch scope before it runs, allows work elsewhere', async () => {
    const t = setup();
    await t.declare();
    const ok = await t.gate.decide(t.intent('rm -rf /home/dev/repo/dist'), true);
    assert.equal(ok.decision, 'allow', ok.reason);
    const bad = await t.gate.decide(t.intent('rm -rf /srv/prod/db'), true);
    assert.equal(bad.decision, 'deny', bad.reason);
    assert.equal(bad.detector, 'scope_drift');
    assert.deepEqual(bad.targets, ['/srv/prod/db']);
    assert.match(bad.reason, /\/srv\/prod\/db/);
    assert.ok(bad.finding_ids.length > 0 && t.acted.some((f) => f.id === bad.finding_id), 'the finding went to the kill switch');
    assert.deepEqual(t.stored.map((d) => d.decision), ['allow', 'deny']);
    assert.ok(bad.latency_ms >= 0);
  });

  it('judges an intent once: the same event again gets the same decision', async () => {
    const t = setup();
    await t.declare();
    const event = t.intent('rm -rf /srv/prod/db');
    const first = await t.gate.decide(event, true);
    const again = await t.gate.decide({ ...event }, true);
    assert.equal(again, first);
    assert.equal(t.stored.length, 1);
  });

  it("allow once: the next identical call passes, its findings stored but not acted on; the one after is denied again", async () => {
    const t = setup();
    await t.declare();
    const denied = await t.gate.decide(t.intent('rm -rf /srv/prod/db'), true);
    assert.equal(denied.decision, 'deny');
    await assert.rejects(t.gate.grant('other-tenant', denied.decision_id, { by: 'operator:alice', reason: 'x' }), /no recent gate decision/);
    await t.gate.grant(denied.tenant, denied.decision_id, { by: 'operator:alice', reason: 'planned restore' });
    const actedBefore = t.acted.length;
    const allowed = await t.gate.decide(t.intent('rm -rf /srv/prod/db'), true);
    assert.equal(allowed.decision, 'allow');
    assert.match(allowed.reason, /allowed once by operator:alice.*planned restore/);
    assert.equal(t.acted.length, actedBefore, 'no finding handed to the kill switch');
    const again = await t.gate.decide(t.intent('rm -rf /srv/prod/db'), true);
    assert.equal(again.decision, 'deny');
    assert.match(again.reason, /denied earlier in this session/);
  });

  it('allow once for a call without a command: matched by its tool and arguments', async () => {
    const t = setup();
    await t.declare();
    const denied = await t.gate.decide(t.write('/srv/prod/app/config.yaml'), true);
    assert.equal(denied.decision, 'deny', denied.reason);
    await t.gate.grant(denied.tenant, denied.decision_id, { by: 'operator:alice', reason: 'config fix' });
    const allowed = await t.gate.decide(t.write('/srv/prod/app/config.yaml'), true);
    assert.equal(allowed.decision, 'allow', allowed.reason);
    assert.notEqual((await t.gate.decide(t.write('/srv/prod/app/config.yaml'), true)).decision, 'allow');
  });

  it('a grant that cannot be stored allows nothing; a use that cannot be stored denies, keeping the grant', async () => {
    const memory = new SwitchableMemory();
    const t = setup(defaultPolicy(), memory);
    await t.declare();
    const denied = await t.gate.decide(t.intent('rm -rf /srv/prod/db'), true);
    memory.down = true;
    await assert.rejects(t.gate.grant(denied.tenant, denied.decision_id, { by: 'operator:alice', reason: 'restore' }), /storage is down/);
    memory.down = false;
    assert.notEqual((await t.gate.decide(t.intent('rm -rf /srv/prod/db'), true)).decision, 'allow', 'a grant not stored stands nowhere');

    await t.gate.grant(denied.tenant, denied.decision_id, { by: 'operator:alice', reason: 'restore' });
    memory.down = true;
    const call = t.intent('rm -rf /srv/prod/db');
    const unrecorded = await t.gate.decide(call, true);
    assert.equal(unrecorded.decision, 'deny');
    assert.match(unrecorded.reason, /could not record/);
    memory.down = false;
    const retried = await t.gate.decide({ ...call }, true);
    assert.equal(retried.decision, 'allow', `the retry uses the grant: ${retried.reason}`);
    assert.equal([...memory.grants.values()].filter((g) => g.consumed_event === call.event_id).length, 1);
    assert.notEqual((await t.gate.decide(t.intent('rm -rf /srv/prod/db'), true)).decision, 'allow');
  });

  it('monitor mode allows and records what it would have answered', async () => {
    const text = 'version: 1\nmode: monitor\n';
    const t = setup(parsePolicyText(text, 'monitor.yaml'));
    await t.declare();
    const d = await t.gate.decide(t.intent('rm -rf /srv/prod/db'), true);
    assert.equal(d.decision, 'allow');
    assert.equal(d.would_be, 'deny');
    assert.equal(d.mode, 'monitor');
  });

  it('a finding at ask_at asks; an agent that cannot ask is denied, saying why', async () => {
    const text = 'version: 1\ngate: { deny_at: never, ask_at: high }\n';
    const t = setup(parsePolicyText(text, 'ask.yaml'));
    await t.declare();
    const asked = await t.gate.decide(t.intent('rm -rf /srv/prod/db'), true);
    assert.equal(asked.decision, 'ask', asked.reason);
    const codex = await t.gate.decide(t.intent('rm -rf /srv/prod/cache'), false);
    assert.equal(codex.decision, 'deny');
    assert.equal(codex.would_be, 'ask');
  });

  it('fails closed for a session whose state is lost', async () => {
    const t = setup();
    await t.declare();
    t.registry.markLost(t.session.tenant, t.session.id, 'not_found');
    const d = await t.gate.decide(t.intent('ls'), true);
    assert.equal(d.decision, 'deny');
    assert.match(d.reason, /no longer holds this session's state/);
  });

  it('refuses to decide an event that is not an intent', async () => {
    const t = setup();
    const execution = { ...t.intent('ls'), phase: 'execution' as const };
    await assert.rejects(t.gate.decide(execution, true), /decides intended actions/);
  });
});

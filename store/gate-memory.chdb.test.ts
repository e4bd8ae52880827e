/**
 * The gate's memory across a change of owner, against the real engine (chdb): two gate services
 * over their own detection engines share one ClickHouse, as two instances of a consumer group
 * do. The first owns the session — its events stored as the ingest path stores them — and
 * denies a call; the second takes the session over the way a rebalance does (state rebuilt from
 * ClickHouse, gate memory with it) and answers the session's next calls:
 *
 * - an operator's allow-once granted on the old owner lets the retry through once on the new
 *   owner; the retry after that is denied;
 * - a grant both instances hold is used once: the instance that did not use it denies the call
 *   (without and with a rebuild), and the intent that used it, retried, is allowed again;
 * - a stopped call asked again on the new owner gets the old owner's answer (the same intent:
 *   the same decision; a new attempt: stopped again), for a deny and for an ask;
 * - the new owner can grant an allow-once for a decision the old owner made;
 * - a grant expires after its lifetime, on the instance holding it and when read back.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ClickHouseAuditStore, migrate } from './index.js';
import { FakeClock } from '../lib/clock.js';
import { silentLogger } from '../lib/logger.js';
import { Metrics } from '../lib/metrics.js';
import { openTempChdb, type TempChdb } from '../test/infra/clickhouse-chdb.js';
import { defaultPolicy, parsePolicyText } from '../detect/policy/load-policy.js';
import type { Policy } from '../detect/policy/policy-types.js';
import { rebuildFromStore } from './session-rebuild.js';
import { SessionRegistry } from '../detect/session/session-registry.js';
import { newSession, stepEvent } from '../detect/testing/scenario.js';
import { DetectionEngine } from '../detect/engine/detection-engine.js';
import { Gate } from '../respond/gate/gate-service.js';
import { ClickHouseGateMemory } from './gate-memory-store.js';
import type { AuditEvent } from '../model/audit-event.js';
import type { SessionState } from '../detect/session/session-state.js';

const START = Date.UTC(2026, 11, 2, 9);
const HOUR = 3_600_000;
let chdb: TempChdb;
let events: ClickHouseAuditStore;

before(async () => {
  chdb = await openTempChdb('warden_gate_memory_test');
  await migrate(chdb.handle, { ttlDays: 3650 });
  events = new ClickHouseAuditStore(chdb.handle, { logger: silentLogger, metrics: new Metrics() });
});
after(async () => {
  await chdb?.cleanup();
});

/** One Warden instance: its own registry, engine and gate; ClickHouse shared. */
function instance(clock: FakeClock, policy: Policy = defaultPolicy()) {
  const metrics = new Metrics();
  const registry = new SessionRegistry({ clock });
  const engine = new DetectionEngine({ registry, policy, clock, logger: silentLogger, metrics });
  const memory = new ClickHouseGateMemory(chdb.handle, { logger: silentLogger, metrics, clock, flushIntervalMs: 60_000 });
  const gate = new Gate({ engine, clock, logger: silentLogger, metrics, memory });
  /** Takes sessions over as after a rebalance: detector state and gate memory from ClickHouse. */
  const takeOver = () => rebuildFromStore(chdb.handle, engine, { sinceMs: START - HOUR, maxSessions: 1000, maxEventsPerSession: 200, gate: { into: gate, nowMs: clock.now(), metrics } });
  return { engine, gate, memory, takeOver, close: () => memory.close() };
}

/** A session that declared `/srv/prod/**` never-touch; its events stored as the ingest path would. */
function session(name: string, clock: FakeClock) {
  const s: SessionState = newSession({ name, steps: [] }, START);
  let i = 0;
  const declaration = stepEvent({ phase: 'session', set: { scope_deny: ['/srv/prod/**'], goal: 'Tidy the build output in /home/dev/repo' } }, i++, s, clock.now());
  return {
    s,
    declaration,
    /** A new intent (a new tool call) for `command`, `afterMs` after the last. */
    intent(command: string, afterMs = 2_000): AuditEvent {
      clock.advance(afterMs);
      return stepEvent({ command, phase: 'intent' }, i++, s, clock.now());
    },
  };
}

const PROD = 'rm -rf /srv/prod/db';

async function deniedOn(owner: ReturnType<typeof instance>, t: ReturnType<typeof session>) {
  await owner.engine.consume([t.declaration]);
  await events.insertEvents([t.declaration]);
  const first = t.intent(PROD);
  const denied = await owner.gate.decide(first, true);
  assert.equal(denied.decision, 'deny', denied.reason);
  await events.insertEvents([first]);
  return { first, denied };
}

describe('the gate remembers across a change of owner (chdb)', () => {
  it("an operator's allow-once granted on the old owner lets the retry through once on the new owner", async () => {
    const clock = new FakeClock(START);
    const a = instance(clock);
    const b = instance(clock);
    const t = session('grant-moves', clock);
    const { denied } = await deniedOn(a, t);
    await a.gate.grant(denied.tenant, denied.decision_id, { by: 'operator:alice', reason: 'planned restore' });
    await a.memory.flush(); // the stopped call's batch is written (a second later in production)

    await b.takeOver();
    const retry = await b.gate.decide(t.intent(PROD), true);
    assert.equal(retry.decision, 'allow', retry.reason);
    assert.match(retry.reason, /allowed once by operator:alice.*planned restore/);
    const again = await b.gate.decide(t.intent(PROD), true);
    assert.equal(again.decision, 'deny', again.reason);
    await Promise.all([a.close(), b.close()]);
  });

  it('a grant both instances hold is used once', async () => {
    const clock = new FakeClock(START + HOUR / 4);
    const a = instance(clock);
    const b = instance(clock);
    const t = session('grant-once', clock);
    const { denied } = await deniedOn(a, t);
    await a.gate.grant(denied.tenant, denied.decision_id, { by: 'operator:alice', reason: 'once' });
    await a.memory.flush();
    await b.takeOver(); // both now hold the grant

    const used = t.intent(PROD);
    assert.equal((await b.gate.decide(used, true)).decision, 'allow');
    await events.insertEvents([used]);
    // The old owner, still holding the grant, answers a call for the session (ownership back, or
    // a decision made while the group settles): the grant was used elsewhere.
    const onA = await a.gate.decide(t.intent(PROD), true);
    assert.notEqual(onA.decision, 'allow', onA.reason);
    // After a rebuild too, and the intent that used the grant, retried, gets its answer again.
    const c = instance(clock);
    await c.takeOver();
    assert.notEqual((await c.gate.decide(t.intent(PROD), true)).decision, 'allow');
    const retried = await c.gate.decide({ ...used }, true);
    assert.equal(retried.decision, 'allow', retried.reason);
    assert.match(retried.reason, /allowed once by operator:alice/);
    await Promise.all([a.close(), b.close(), c.close()]);
  });

  it("a stopped call asked again on the new owner gets the old owner's answer", async () => {
    for (const [name, policy, answer] of [
      ['stopped-deny', defaultPolicy(), 'deny'],
      ['stopped-ask', parsePolicyText('version: 1\ngate: { deny_at: never, ask_at: high }\n', 'ask.yaml'), 'ask'],
    ] as const) {
      const clock = new FakeClock(START + HOUR / 2);
      const a = instance(clock, policy);
      const b = instance(clock, policy);
      const t = session(name, clock);
      await a.engine.consume([t.declaration]);
      await events.insertEvents([t.declaration]);
      const first = t.intent(PROD);
      const stopped = await a.gate.decide(first, true);
      assert.equal(stopped.decision, answer, stopped.reason);
      await events.insertEvents([first]);
      await a.memory.flush();

      await b.takeOver();
      // The call asked again a minute later (past the burst window; the detectors, which report
      // a target once per session, find nothing new), then the same intent retried (a hook sent
      // twice).
      const anew = await b.gate.decide(t.intent(PROD, 60_000), true);
      assert.equal(anew.decision, answer, `${name}: ${anew.reason}`);
      const same = await b.gate.decide({ ...first }, true);
      assert.deepEqual([same.decision_id, same.decision, same.reason, same.detector], [stopped.decision_id, stopped.decision, stopped.reason, stopped.detector], `${name}: the same intent, the same decision`);
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('the new owner grants an allow-once for a decision the old owner made', async () => {
    const clock = new FakeClock(START + (3 * HOUR) / 4);
    const a = instance(clock);
    const b = instance(clock);
    const t = session('grant-on-new-owner', clock);
    const { denied } = await deniedOn(a, t);
    await a.memory.flush();
    await b.takeOver();
    const granted = await b.gate.grant(denied.tenant, denied.decision_id, { by: 'operator:bob', reason: 'checked' });
    assert.equal(granted.decision_id, denied.decision_id);
    assert.equal((await b.gate.decide(t.intent(PROD), true)).decision, 'allow');
    await Promise.all([a.close(), b.close()]);
  });

  it('a grant expires after its lifetime', async () => {
    const clock = new FakeClock(START + HOUR);
    const a = instance(clock);
    const t = session('grant-expires', clock);
    const { denied } = await deniedOn(a, t);
    await a.gate.grant(denied.tenant, denied.decision_id, { by: 'operator:alice', reason: 'later' });
    await a.memory.flush();
    clock.advance(HOUR + 1);
    const b = instance(clock);
    assert.notEqual((await a.gate.decide(t.intent(PROD), true)).decision, 'allow');
    const restored = await b.takeOver();
    assert.equal(restored.grants, 0, 'an expired grant is not read back');
    assert.notEqual((await b.gate.decide(t.intent(PROD), true)).decision, 'allow');
    await Promise.all([a.close(), b.close()]);
  });
});

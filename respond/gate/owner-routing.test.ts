/**
 * The routing decision of a gate call, with a fake clock and a scripted ownership: self decides
 * here; a peer gets the call forwarded and its answer relayed; a forwarded call for a session
 * this instance does not own is misdirected; while the owner is unknown the call waits for the
 * group to settle and then goes to the new owner; an owner that never settles, or one that
 * cannot be reached, ends in `fail` (fail closed) once the wait is over; a decision made across
 * a change of ownership is flagged.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../../lib/clock.js';
import { silentLogger } from '../../lib/logger.js';
import { Metrics } from '../../lib/metrics.js';
import { RetryableError } from '../../lib/errors.js';
import type { PartitionOwner, SessionOwnership } from '../../receive/kafka/group-membership.js';
import { GateRouter } from './owner-routing.js';
import type { ForwardedCall } from './forward-gate-call.js';

class ScriptedOwnership implements SessionOwnership {
  generation = 0;
  private waiters: Array<() => void> = [];
  constructor(public owner: PartitionOwner) {}
  ownerOf(): PartitionOwner {
    return this.owner;
  }
  changed(): Promise<void> {
    return new Promise((r) => this.waiters.push(r));
  }
  set(owner: PartitionOwner): void {
    this.owner = owner;
    this.generation++;
    for (const w of this.waiters.splice(0)) w();
  }
}

function setup(owner: PartitionOwner, forward: (c: ForwardedCall) => Promise<{ status: number; headers: Record<string, string>; body: string }> = async () => ({ status: 200, headers: {}, body: 'owner says deny' })) {
  const clock = new FakeClock();
  const ownership = new ScriptedOwnership(owner);
  const sleeps: number[] = [];
  const onSleep: Array<(elapsed: number) => void> = [];
  const sleep = async (ms: number) => {
    sleeps.push(ms);
    clock.advance(ms);
    for (const f of onSleep) f(clock.now());
  };
  const forwarded: ForwardedCall[] = [];
  const metrics = new Metrics();
  const router = new GateRouter({ ownership, clock, sleep, pollMs: 100, self: () => 'http://me:1', waitMs: 1_000, forwardTimeoutMs: 300, logger: silentLogger, metrics, forward: async (c) => (forwarded.push(c), forward(c)) });
  const routed = async () => Object.fromEntries(((await metrics.registry.getSingleMetric('warden_gate_routed_total')!.get()).values).map((v) => [v.labels.route, v.value]));
  return { clock, ownership, router, sleeps, onSleep, forwarded, routed };
}

const call = { key: 's1', path: '/api/v1/hooks/claude-code', body: { session_id: 's1' }, authorization: 'Bearer t' };

describe('routing a gate call to its session owner', () => {
  it('decides here when this instance owns the session', async () => {
    const t = setup({ kind: 'self' });
    const d = await t.router.dispatch(call);
    assert.equal(d.kind, 'local');
    assert.equal(t.forwarded.length, 0);
    assert.deepEqual(await t.routed(), { local: 1 });
  });

  it("forwards to a peer owner with the caller's credentials and relays its answer", async () => {
    const t = setup({ kind: 'peer', url: 'http://owner:2' });
    const d = await t.router.dispatch(call);
    assert.deepEqual(d, { kind: 'relay', answer: { status: 200, headers: {}, body: 'owner says deny' } });
    assert.equal(t.forwarded[0]!.url, 'http://owner:2');
    assert.equal(t.forwarded[0]!.authorization, 'Bearer t');
    assert.equal(t.forwarded[0]!.from, 'http://me:1');
  });

  it('never forwards a forwarded call again: misdirected', async () => {
    const t = setup({ kind: 'peer', url: 'http://owner:2' });
    const d = await t.router.dispatch({ ...call, forwardedBy: 'http://other:3' });
    assert.equal(d.kind, 'misdirected');
    assert.equal(t.forwarded.length, 0);
  });

  it('waits while the group rebalances, then goes to the new owner', async () => {
    const t = setup({ kind: 'unknown', why: 'the consumer group is rebalancing' });
    t.onSleep.push(() => {
      if (t.sleeps.length === 3) t.ownership.set({ kind: 'peer', url: 'http://new-owner:4' });
    });
    const d = await t.router.dispatch(call);
    assert.equal(d.kind, 'relay');
    assert.equal(t.forwarded[0]!.url, 'http://new-owner:4');
  });

  it('fails closed once the wait is over without an owner, saying why', async () => {
    const t = setup({ kind: 'unknown', why: 'the consumer group is rebalancing' });
    const started = t.clock.now();
    const d = await t.router.dispatch(call);
    assert.equal(d.kind, 'fail');
    assert.match((d as { problem: string }).problem, /owner instance \(the consumer group is rebalancing\)/);
    assert.equal(t.clock.now() - started, 1_000, 'waited exactly the bound');
    assert.deepEqual(await t.routed(), { no_owner: 1 });
  });

  it('fails closed when the owner cannot be reached or keeps answering misdirected', async () => {
    const down = setup({ kind: 'peer', url: 'http://owner:2' }, async () => {
      throw new RetryableError('GATE_OWNER_UNREACHABLE', 'connection refused');
    });
    const d = await down.router.dispatch(call);
    assert.equal(d.kind, 'fail');
    assert.match((d as { problem: string }).problem, /could not reach this session's owner instance/);
    assert.ok(down.forwarded.length > 1, 'tried again while waiting');
    const moved = setup({ kind: 'peer', url: 'http://owner:2' }, async () => ({ status: 421, headers: {}, body: '' }));
    const m = await moved.router.dispatch(call);
    assert.equal(m.kind, 'fail');
    assert.match((m as { problem: string }).problem, /no longer owns it/);
  });

  it('flags a local decision made across a change of ownership', async () => {
    const t = setup({ kind: 'self' });
    const d = await t.router.dispatch(call);
    assert.ok(d.kind === 'local' && d.stillOwner());
    t.ownership.set({ kind: 'unknown', why: 'the consumer group is rebalancing' });
    assert.ok(d.kind === 'local' && !d.stillOwner());
  });
});

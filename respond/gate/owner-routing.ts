/**
 * A gate call in distributed mode is decided by the instance that owns the call's session (the
 * consumer-group member assigned the session's partition, which holds its detector state), so
 * every instance gives the owner's answer:
 *
 * - owner is this instance → decide here (`local`); if the session's ownership changed while
 *   deciding (`stillOwner()` false), any answer but deny is replaced by fail-closed;
 * - owner is a peer → forward the call to it and relay its answer; a forwarded call is never
 *   forwarded again — an instance that gets one for a session it does not own answers
 *   `misdirected` and the sender looks again;
 * - owner unknown (rebalance, a new owner still rebuilding state), unreachable, or misdirected:
 *   wait for the group to settle (`ownership.changed()`, polled every `pollMs`), at most `waitMs`
 *   in all, then answer `fail` with the reason — the caller fails closed.
 *
 * Counted in `warden_gate_routed_total{route=local|forwarded|no_owner|moved|misdirected}`.
 * Time comes from the clock and waits from `sleep`, so tests drive it with a fake clock.
 */
import { Counter } from 'prom-client';
import type { Clock } from '../../lib/clock.js';
import { errorCode } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { registered, type Metrics } from '../../lib/metrics.js';
import type { PartitionOwner, SessionOwnership } from '../../receive/kafka/group-membership.js';
import { MISDIRECTED_STATUS, forwardGateCall, type ForwardedCall, type OwnerAnswer } from './forward-gate-call.js';

export type Route = { to: 'local'; generation: number } | { to: 'peer'; url: string } | { to: 'none'; why: string } | { to: 'misdirected'; why: string };

export interface RoutingDeps {
  ownership: SessionOwnership;
  clock: Clock;
  /** Resolves after `ms` (setTimeout in production; the fake clock's advance in tests). */
  sleep: (ms: number) => Promise<void>;
  /** How often an unknown owner is looked up again while waiting (default 100 ms). */
  pollMs?: number;
}

/**
 * Where a call for `key` goes, waiting until `deadline` (clock ms) while the owner is unknown.
 * `forwarded`: the call came from a peer, so it is decided here or not at all.
 */
export async function routeGateCall(deps: RoutingDeps, key: string, deadline: number, forwarded: boolean): Promise<Route> {
  for (;;) {
    const generation = deps.ownership.generation;
    const owner: PartitionOwner = deps.ownership.ownerOf(key);
    if (owner.kind === 'self') return { to: 'local', generation };
    if (owner.kind === 'peer') return forwarded ? { to: 'misdirected', why: `this instance does not own the session (its owner is ${owner.url})` } : { to: 'peer', url: owner.url };
    const left = deadline - deps.clock.now();
    if (left <= 0) return { to: 'none', why: owner.why };
    await settleOrPoll(deps, left);
  }
}

async function settleOrPoll(deps: RoutingDeps, left: number): Promise<void> {
  await Promise.race([deps.ownership.changed(), deps.sleep(Math.min(deps.pollMs ?? 100, left))]);
}

export type Dispatch =
  | { kind: 'local'; stillOwner: () => boolean; moved: () => void }
  | { kind: 'relay'; answer: OwnerAnswer }
  | { kind: 'misdirected'; why: string }
  | { kind: 'fail'; problem: string };

export interface GateRouterDeps extends RoutingDeps {
  /** This instance's advertised URL (sent as `warden-forwarded-by`). */
  self: () => string;
  /** Longest a call waits for its owner, in all (ms). */
  waitMs: number;
  /** Longest one forwarded call may take (ms). */
  forwardTimeoutMs: number;
  logger: Logger;
  metrics: Metrics;
  /** Replaceable for tests; default `forwardGateCall`. */
  forward?: (call: ForwardedCall) => Promise<OwnerAnswer>;
}

export interface GateCall {
  /** The session id the intake keys the record by. */
  key: string;
  /** Path and query of the request. */
  path: string;
  body: unknown;
  authorization?: string;
  /** Set when a peer forwarded the call. */
  forwardedBy?: string;
}

function routedCounter(metrics: Metrics): Counter<'route'> {
  const r = metrics.registry;
  return (
    registered<Counter<'route'>>(r, 'warden_gate_routed_total') ??
    new Counter({
      name: 'warden_gate_routed_total',
      help: "Gate calls by where they were decided: local (this instance owns the session), forwarded (to its owner), no_owner (fail-closed: owner unknown or unreachable), moved (fail-closed: ownership changed while deciding), misdirected (a forwarded call for a session this instance does not own)",
      labelNames: ['route'] as const,
      registers: [r],
    })
  );
}

export class GateRouter {
  private readonly deps: GateRouterDeps;
  private readonly routed: Counter<'route'>;

  constructor(deps: GateRouterDeps) {
    this.deps = deps;
    this.routed = routedCounter(deps.metrics);
  }

  async dispatch(call: GateCall): Promise<Dispatch> {
    const { deps } = this;
    const deadline = deps.clock.now() + deps.waitMs;
    const forwarded = call.forwardedBy !== undefined;
    let lastProblem = '';
    for (;;) {
      const route = await routeGateCall(deps, call.key, deadline, forwarded);
      if (route.to === 'local') {
        this.routed.inc({ route: 'local' });
        return { kind: 'local', stillOwner: () => deps.ownership.generation === route.generation || deps.ownership.ownerOf(call.key).kind === 'self', moved: () => this.routed.inc({ route: 'moved' }) };
      }
      if (route.to === 'misdirected') {
        this.routed.inc({ route: 'misdirected' });
        return { kind: 'misdirected', why: route.why };
      }
      if (route.to === 'none') return this.fail(lastProblem || `could not find this session's owner instance (${route.why})`);
      try {
        const answer = await (deps.forward ?? forwardGateCall)({ url: route.url, path: call.path, body: call.body, ...(call.authorization ? { authorization: call.authorization } : {}), from: deps.self(), timeoutMs: Math.max(1, Math.min(deps.forwardTimeoutMs, deadline - deps.clock.now())) });
        if (answer.status !== MISDIRECTED_STATUS) {
          this.routed.inc({ route: 'forwarded' });
          return { kind: 'relay', answer };
        }
        lastProblem = `could not find this session's owner instance (${route.url} no longer owns it; the consumer group is rebalancing)`;
      } catch (err) {
        deps.logger.warn({ code: errorCode(err), owner: route.url, err: String(err) }, "gate call could not be forwarded to the session's owner");
        lastProblem = `could not reach this session's owner instance (${(err as Error).message})`;
      }
      const left = deadline - deps.clock.now();
      if (left <= 0) return this.fail(lastProblem);
      await settleOrPoll(deps, left);
    }
  }

  private fail(problem: string): Dispatch {
    this.routed.inc({ route: 'no_owner' });
    return { kind: 'fail', problem };
  }
}

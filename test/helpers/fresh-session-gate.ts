/**
 * The gate as an agent meets it on its first call: each command is judged as the first intent of
 * a new session (no declared goal or scope, default policy, an agent that can ask), by the real
 * detection engine, detectors, classifier and gate over a fake clock. Used to score the gate's
 * allow/ask/deny on labelled corpora; sessions never share state, so the order of cases does not
 * change any answer.
 */
import { FakeClock } from '../../lib/clock.js';
import { silentLogger } from '../../lib/logger.js';
import { Metrics } from '../../lib/metrics.js';
import { DetectionEngine } from '../../detect/engine/detection-engine.js';
import { defaultPolicy } from '../../detect/policy/load-policy.js';
import { SessionRegistry } from '../../detect/session/session-registry.js';
import { newSession, stepEvent } from '../../detect/testing/scenario.js';
import { Gate, type GateDecision } from '../../respond/gate/gate-service.js';

export interface FreshSessionGate {
  decide(tool: string, command: string, args: Record<string, unknown>, cwd: string): Promise<GateDecision>;
}

export function freshSessionGate(): FreshSessionGate {
  const clock = new FakeClock(Date.UTC(2026, 11, 2, 9));
  const metrics = new Metrics();
  const registry = new SessionRegistry({ clock });
  const engine = new DetectionEngine({ registry, policy: defaultPolicy(), clock, logger: silentLogger, metrics, onFinding: () => undefined });
  const gate = new Gate({ engine, clock, logger: silentLogger, metrics, decisions: { add: () => undefined } });
  let n = 0;
  return {
    async decide(tool, command, args, cwd) {
      n++;
      // A new session per call, far apart in time, so no burst or budget carries over.
      clock.advance(3_600_000);
      const session = newSession({ name: `fresh-${n}`, steps: [] }, clock.now());
      return gate.decide(stepEvent({ tool, command, arguments: args, cwd, phase: 'intent' }, n, session, clock.now()), true);
    },
  };
}

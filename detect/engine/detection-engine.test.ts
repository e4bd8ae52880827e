/**
 * The detection engine with real detectors, the real classifier and a fake clock: a burst is
 * caught by the fifth command, redelivered and replayed events emit nothing twice, a throwing
 * detector costs only itself, a revocation made by the finding handler is seen by the very next
 * event, replay is silent, and an event from before a takeover that arrives after it is judged
 * at its own time.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AuditEvent } from '../../model/audit-event.js';
import { FakeClock } from '../../lib/clock.js';
import { silentLogger } from '../../lib/logger.js';
import { Metrics } from '../../lib/metrics.js';
import { destructiveBurstFactory } from '../destructive-burst/index.js';
import type { DetectorFactory } from '../detector.js';
import type { Finding } from '../../model/finding.js';
import { defaultPolicy, parsePolicyText } from '../policy/load-policy.js';
import type { Policy } from '../policy/policy-types.js';
import { postRevocationFactory } from '../post-revocation/index.js';
import { SessionRegistry } from '../session/session-registry.js';
import type { SessionState } from '../session/session-state.js';
import { newSession, stepEvent } from '../testing/scenario.js';
import { DetectionEngine, type FindingHandler } from './detection-engine.js';

const START = Date.UTC(2026, 10, 21, 9);

function setup(policy: Policy = defaultPolicy(), handler?: (f: Finding, s: SessionState, e: DetectionEngine) => void | Promise<void>) {
  const clock = new FakeClock(START);
  const metrics = new Metrics();
  const registry = new SessionRegistry({ clock });
  const found: Finding[] = [];
  let engine: DetectionEngine | undefined = undefined;
  const onFinding: FindingHandler = (f, s) => {
    found.push(f);
    return handler?.(f, s, engine!);
  };
  engine = new DetectionEngine({ registry, policy, clock, logger: silentLogger, metrics, onFinding });
  const session = newSession({ name: 'eng', steps: [] }, START);
  let i = 0;
  const make = (command: string, afterMs = 200): AuditEvent => {
    clock.advance(afterMs);
    return stepEvent({ command }, i++, session, clock.now());
  };
  return { clock, metrics, registry, engine, found, make };
}

const throwing: DetectorFactory<Record<string, never>> = {
  name: 'intent_mismatch',
  defaults: {},
  validate: (_raw, base) => ({ config: base, problems: [] }),
  create: () => ({
    name: 'intent_mismatch',
    observe: () => {
      throw new Error('detector bug');
    },
  }),
};

describe('DetectionEngine', () => {
  it('catches twenty deletes by the fifth, with findings fully identified', async () => {
    const t = setup();
    const events = Array.from({ length: 20 }, (_, n) => t.make(`rm -rf /srv/app/uploads/${n}`));
    for (const [n, e] of events.entries()) {
      await t.engine.consume([e]);
      if (n === 4) assert.ok(t.found.some((f) => f.detector === 'destructive_burst' && ['high', 'critical'].includes(f.severity)));
    }
    const burst = t.found.find((f) => f.detector === 'destructive_burst')!;
    assert.match(burst.id, /^[0-9a-f]{32}$/);
    assert.equal(burst.agent_id, 'test-agent');
    assert.match(burst.at, /^2026-11-21T09:00:00\.\d{9}Z$/);
    assert.equal(burst.evidence.at(-1), events[1]!.event_id);
    const counted = await t.metrics.registry.getSingleMetricAsString('warden_findings_total');
    assert.match(counted, /detector="destructive_burst",severity="high"\} 1/);
  });

  it('emits nothing twice: redelivered events are skipped, replayed findings are remembered', async () => {
    const t = setup();
    const events = Array.from({ length: 6 }, (_, n) => t.make(`rm -rf /srv/data/${n}`));
    t.engine.replay(events.slice(0, 4));
    assert.equal(t.found.length, 0, 'replay is silent');
    await t.engine.consume(events);
    const ids = t.found.map((f) => f.id);
    assert.equal(new Set(ids).size, ids.length);
    assert.ok(!t.found.some((f) => f.evidence.at(-1) === events[1]!.event_id), 'the high burst seen in replay is not re-emitted');
    const before = t.found.length;
    await t.engine.consume(events);
    assert.equal(t.found.length, before);
    assert.equal(t.registry.get('default', 'scenario-eng')!.counts.events, 6);
  });

  it('a throwing detector is counted and the others still run', async () => {
    const policy = parsePolicyText('version: 1\n', 'test', [throwing, destructiveBurstFactory]);
    const t = setup(policy);
    await t.engine.consume([t.make('rm -rf /srv/a'), t.make('rm -rf /srv/b'), t.make('rm -rf /srv/c')]);
    assert.deepEqual(t.found.map((f) => f.detector), ['destructive_burst']);
    assert.match(await t.metrics.registry.getSingleMetricAsString('warden_detector_failures_total'), /detector="intent_mismatch"\} 3/);
  });

  it('a revocation made by the handler applies to the next event; handler failures are logged, not thrown', async () => {
    const policy = parsePolicyText('version: 1\n', 'test', [destructiveBurstFactory, postRevocationFactory]);
    const t = setup(policy, (f, s, engine) => {
      if (f.detector === 'destructive_burst') engine.registry.markRevoked(s.tenant, s.id, { at: f.at, by: 'detector:destructive_burst', reason: f.title, finding_id: f.id });
      return Promise.reject(new Error('webhook down'));
    });
    await t.engine.consume([t.make('rm -rf /srv/a'), t.make('rm -rf /srv/b'), t.make('git status')]);
    await t.engine.drain();
    assert.deepEqual(t.found.map((f) => [f.detector, f.severity]), [['destructive_burst', 'high'], ['post_revocation_activity', 'critical']]);
    assert.match(await t.metrics.registry.getSingleMetricAsString('warden_errors_total'), /stage="on_finding"/);
  });

  it('passes the resolved policy (monitor mode) to the handler and honours disabled detectors', async () => {
    const seen: string[] = [];
    const policy = parsePolicyText('version: 1\nmode: monitor\ndetectors:\n  capability_budget: { enabled: false }\n', 'test');
    const clock = new FakeClock(START);
    const engine = new DetectionEngine({
      registry: new SessionRegistry({ clock }),
      policy,
      clock,
      logger: silentLogger,
      metrics: new Metrics(),
      onFinding: (f, _s, p) => void seen.push(`${f.detector}:${p.kill_switch.mode}`),
    });
    const session = newSession({ name: 'm', steps: [] }, START);
    const events = ['terraform destroy -auto-approve', 'kubectl delete namespace a', 'kubectl delete namespace b'].map((c, i) => stepEvent({ command: c }, i, session, START + i));
    await engine.consume(events);
    assert.ok(seen.includes('destructive_burst:monitor'));
    assert.ok(!seen.some((s) => s.startsWith('capability_budget')));
  });

  it('an event from before the takeover, redelivered after it, is judged at its own time, not as just made', async () => {
    const bursts = (t: ReturnType<typeof setup>): Finding[] => t.found.filter((f) => f.detector === 'destructive_burst');
    // Its last owner judged this call and died before storing it; the next owner gets it from Kafka a minute later.
    const run = async (takeOver: boolean): Promise<ReturnType<typeof setup>> => {
      const t = setup();
      const before = t.make('git reset --hard HEAD~3');
      t.clock.advance(60_000);
      if (takeOver) t.engine.tookOver(t.clock.now());
      await t.engine.consume([before]);
      await t.engine.consume([t.make('git reset --hard HEAD~1', 1_000)]);
      return t;
    };
    assert.deepEqual(bursts(await run(true)), [], 'two resets a minute apart are no burst');
    assert.equal(bursts(await run(false)).length, 1, 'without the takeover, the late event counts as just made (the case the takeover time exists for)');

    // Late events still make a burst among themselves, at their own times; a live one after them is judged now.
    const t = setup();
    const late = [t.make('git reset --hard HEAD~3'), t.make('git reset --hard HEAD~2', 1_000)];
    t.clock.advance(60_000);
    t.engine.tookOver(t.clock.now());
    await t.engine.consume(late);
    assert.equal(bursts(t).length, 1, 'two resets a second apart, redelivered together');
    assert.match(bursts(t)[0]!.at, /^2026-11-21T09:00:01\.\d{9}Z$/, 'found at the time the second reset was made');
  });
});

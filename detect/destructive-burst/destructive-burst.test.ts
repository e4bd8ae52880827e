/**
 * The destructive-burst detector beyond its scenario file: how early a burst trips, intents
 * paired with executions, rejected intents, the per-agent baseline, the Poisson tail and the
 * blast-radius weights — all under the fake clock of the scenario harness.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runScenario, stepEvent, newSession, type ScenarioStep } from '../testing/scenario.js';
import { actionWeight } from './blast-weight.js';
import { BURST_DEFAULTS } from './config.js';
import { destructiveBurstFactory } from './index.js';
import { poissonUpperTail } from './poisson-tail.js';

function run(steps: ScenarioStep[], config?: Record<string, unknown>) {
  return runScenario(destructiveBurstFactory, { name: 'unit', steps, ...(config ? { config } : {}) });
}

function weightOf(command: string): number {
  const session = newSession({ name: 'w', steps: [] }, 0);
  return actionWeight(stepEvent({ command }, 0, session, 0), BURST_DEFAULTS).weight;
}

describe('destructive_burst', () => {
  it('twenty destructive commands 200 ms apart trip at or before the fifth, once per level', () => {
    const steps = Array.from({ length: 20 }, (_, i) => ({ after_ms: 200, command: `rm -rf /srv/app/uploads/batch-${i}` }));
    const r = run(steps);
    const first = r.perStep.findIndex((d) => d.length > 0);
    assert.ok(first >= 0 && first <= 4, `first finding at step ${first}`);
    assert.deepEqual(r.all.map((f) => f.severity), ['high', 'critical']);
    const critical = r.all[1]!;
    assert.equal(critical.evidence.at(-1), r.events[r.perStep.findIndex((d) => d.some((f) => f.severity === 'critical'))]!.event_id);
  });

  it('counts an intent and its execution once, and trips on the intent', () => {
    const r = run([
      { phase: 'intent', tool_call_id: 'a', command: 'kubectl delete namespace team-a' },
      { phase: 'execution', tool_call_id: 'a', command: 'kubectl delete namespace team-a' },
      { phase: 'intent', tool_call_id: 'b', command: 'kubectl delete namespace team-b' },
    ]);
    assert.deepEqual(r.perStep.map((d) => d.length), [0, 0, 1]);
    assert.deepEqual(r.all[0]!.evidence, [r.events[0]!.event_id, r.events[2]!.event_id]);
  });

  it('ignores intents the user rejected', () => {
    const steps: ScenarioStep[] = Array.from({ length: 6 }, (_, i) => ({
      after_ms: 300,
      phase: 'intent',
      command: `rm -rf /srv/data/${i}`,
      set: { decision: 'reject' },
    }));
    assert.equal(run(steps).all.length, 0);
  });

  it('re-arms after the window empties: a second burst reports again', () => {
    const burst = (tag: string): ScenarioStep[] => [1, 2, 3].map((i) => ({ after_ms: 500, command: `rm -rf /srv/${tag}/${i}` }));
    const r = run([...burst('a'), { after_ms: 60_000, command: 'git status' }, ...burst('b')]);
    assert.deepEqual(r.all.map((f) => f.severity), ['high', 'high']);
  });

  it('reports a departure from the agent baseline only after warm-up', () => {
    const quiet: ScenarioStep[] = Array.from({ length: 8 }, () => ({ after_ms: 60_000, command: 'git status' }));
    const spree: ScenarioStep[] = ['a', 'b', 'c', 'd'].map((d) => ({ after_ms: 15_000, command: `rm -rf src/${d}` }));
    const warmed = run([...quiet, ...spree], { baseline: { warmup_minutes: 5 } });
    assert.equal(warmed.all.length, 1);
    assert.equal(warmed.all[0]!.severity, 'medium');
    assert.match(warmed.all[0]!.explanation, /Poisson/);
    assert.equal(run([...quiet, ...spree]).all.length, 0, 'default warm-up of 30 active minutes not reached');
    assert.equal(run([...quiet, ...spree], { baseline: { warmup_minutes: 5, enabled: false } }).all.length, 0);
  });

  it('weights wide, irreversible actions above narrow or regenerable ones', () => {
    assert.ok(weightOf('kubectl delete namespace team-a') > weightOf('rm -rf src/old'));
    assert.ok(weightOf('rm -rf src/old') > weightOf('rm notes.md'));
    assert.ok(weightOf('kubectl delete pods --all -n prod') > weightOf('kubectl delete deployment web -n prod'));
    assert.ok(weightOf('rm -rf dist') < weightOf('rm notes.md'));
    assert.equal(weightOf('terraform destroy -auto-approve'), BURST_DEFAULTS.weights.max_event);
  });
});

describe('poissonUpperTail', () => {
  it('matches closed forms and keeps precision far in the tail', () => {
    assert.equal(poissonUpperTail(0, 2), 1);
    assert.ok(Math.abs(poissonUpperTail(1, 0.5) - (1 - Math.exp(-0.5))) < 1e-12);
    const p = poissonUpperTail(20, 0.05);
    assert.ok(p > 0 && Math.abs(p / (Math.exp(-0.05) * 0.05 ** 20 / 2432902008176640000) - 1) < 5e-3, `tail ${p}`);
  });
});

/**
 * Regeneration under a fake clock: the same three critical actions exhaust the budget when run
 * back to back, and only warn when ten minutes pass between the second and the third.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../../lib/clock.js';
import { runScenario, type Scenario } from '../testing/scenario.js';
import { BoundedSet } from '../../lib/bounded.js';
import { regenerate } from './capability-budget.js';
import { BUDGET_DEFAULTS } from './config.js';
import { capabilityBudgetFactory } from './index.js';

function threeCriticals(pauseMs: number): Scenario {
  return {
    name: `pause-${pauseMs}`,
    steps: [
      { after_ms: 1000, command: 'kubectl delete namespace a' },
      { after_ms: 1000, command: 'kubectl delete namespace b' },
      { after_ms: pauseMs, command: 'kubectl delete namespace c' },
    ],
  };
}

describe('capability budget regeneration', () => {
  it('regains regen_per_minute per minute, up to the budget', () => {
    const clock = new FakeClock();
    const slot = { remaining: 10, updatedMs: clock.now(), counted: new BoundedSet<string>(10), spent: [], level: 0 };
    clock.advance(5 * 60_000);
    regenerate(slot, clock.now(), BUDGET_DEFAULTS);
    assert.equal(slot.remaining, 15);
    clock.advance(24 * 60 * 60_000);
    regenerate(slot, clock.now(), BUDGET_DEFAULTS);
    assert.equal(slot.remaining, BUDGET_DEFAULTS.budget);
  });

  it('exhausts without a pause and only warns after ten minutes of regeneration', () => {
    const fast = runScenario(capabilityBudgetFactory, threeCriticals(1000)).all;
    assert.deepEqual(fast.map((f) => f.severity), ['critical']);
    const slow = runScenario(capabilityBudgetFactory, threeCriticals(10 * 60_000)).all;
    assert.deepEqual(slow.map((f) => f.severity), ['medium']);
    assert.match(slow[0]!.title, /10\.\d of 60 points left/);
  });
});

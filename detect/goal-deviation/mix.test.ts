/**
 * Action mix vs. the agent's baseline: several sessions through one detector instance; a
 * session whose destructive share is far above the agent's other sessions is flagged once
 * (medium), with the numbers; one near the baseline, or of another agent, is not.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../../lib/clock.js';
import { driveSession } from '../common/drive-session.js';
import type { Scenario, ScenarioStep } from '../testing/scenario.js';
import { BaselineStore } from './baseline.js';
import { goalDeviationFactory } from './index.js';

const GOAL = 'Refactor the billing module and clean up dead code';
const routine: ScenarioStep[] = [
  { command: 'git status' }, { command: 'cat src/billing.ts' }, { command: 'npm test' },
  { tool: 'Edit', arguments: { file_path: '/home/dev/repo/src/billing.ts', old_string: 'a', new_string: 'b' } },
  { command: 'npm run lint' }, { command: 'git diff' }, { command: 'rm src/dead.ts' }, { command: 'npm test' },
  { command: 'git commit -am refactor' }, { command: 'git status' },
];
const deletions: ScenarioStep[] = ['src/a.ts', 'src/b.ts', 'src/c.ts', 'src/d.ts', 'src/e.ts', 'src/f.ts', 'src/g.ts', 'src/h.ts']
  .map((f) => ({ command: `rm ${f}` }));

function session(name: string, steps: ScenarioStep[], agent = 'coder'): Scenario {
  return { name, session: { goal: GOAL, agent_id: agent }, steps };
}

describe('goal_deviation action mix', () => {
  const config = goalDeviationFactory.defaults;

  it('flags a session far above the baseline, once, with the numbers', () => {
    const detector = goalDeviationFactory.create();
    const clock = new FakeClock();
    for (let i = 0; i < 12; i++) assert.equal(driveSession(detector, config, session(`s${i}`, routine), clock).all.length, 0);
    const odd = driveSession(detector, config, session('odd', [...routine.slice(0, 4), ...deletions]), clock);
    assert.equal(odd.all.length, 1);
    const f = odd.all[0]!;
    assert.equal(f.severity, 'medium');
    assert.match(f.title, /6 of 10 actions destructive/);
    assert.match(f.explanation, /destructive share is 11% \(12 of 120\); z = 5\.1 \(p < 0\.001\)/);
    assert.match(f.explanation, /over 12 other sessions/);
    assert.match(f.explanation, /z = \d+\.\d/);
  });

  it('stays silent without enough baseline, near the baseline, or for another agent', () => {
    const detector = goalDeviationFactory.create();
    const clock = new FakeClock();
    assert.equal(driveSession(detector, config, session('first', [...routine, ...deletions]), clock).all.length, 0);
    for (let i = 0; i < 12; i++) driveSession(detector, config, session(`s${i}`, routine), clock);
    assert.equal(driveSession(detector, config, session('usual', routine), clock).all.length, 0);
    assert.equal(driveSession(detector, config, session('other', [...routine, ...deletions], 'reviewer'), clock).all.length, 0);
  });

  it('keeps the baseline bounded', () => {
    const store = new BaselineStore(2);
    for (const k of ['a', 'b', 'c']) store.startSession(k);
    for (let i = 0; i < 50; i++) store.record('c', i % 10 === 0, 20);
    const mix = { n: 10, k: 5 };
    const loose = { ...config.mix, min_baseline_sessions: 0, min_baseline_events: 1 };
    assert.equal(store.compare('a', mix, loose), undefined, 'the least recently used agent was evicted');
    const r = store.compare('c', mix, loose);
    assert.ok(r !== undefined && r.baseEvents <= 20, 'counts halve past max_events');
  });
});

/**
 * goal_deviation config: defaults.yaml is valid and the judge is off; validation reports every
 * problem naming its field.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { goalDeviationFactory } from './index.js';

describe('goal_deviation config', () => {
  it('loads defaults.yaml with the judge off', () => {
    const d = goalDeviationFactory.defaults;
    assert.deepEqual(d.levels, ['read', 'modify', 'apply', 'delete', 'destroy']);
    assert.ok(d.goal_verbs['read']?.includes('list'));
    assert.equal(d.judge.url, '');
    assert.equal(d.judge.timeout_ms, 200);
  });
  it('accepts a judge URL and partial overrides', () => {
    const { config, problems } = goalDeviationFactory.validate({ judge: { url: 'http://127.0.0.1:9000/judge' }, mix: { z_threshold: 4 } }, goalDeviationFactory.defaults);
    assert.deepEqual(problems, []);
    assert.equal(config.judge.url, 'http://127.0.0.1:9000/judge');
    assert.equal(config.judge.timeout_ms, 200);
    assert.equal(config.mix.z_threshold, 4);
    assert.equal(config.mix.min_actions, 10);
  });
  it('reports every problem with its field', () => {
    const { problems } = goalDeviationFactory.validate({
      judge: { url: 'ftp://x', borderline_min: 0.9, borderline_max: 0.2 }, mix: { min_ratio: 0 },
      action_levels: [{ level: 'obliterate', classes: ['*'] }], goal_verbs: { nonsense: ['x'] }, nondestructive_escalation: 'loud',
    }, goalDeviationFactory.defaults);
    for (const field of ['judge.url', 'judge.borderline_min', 'mix.min_ratio', 'action_levels[0].level', 'goal_verbs.nonsense', 'nondestructive_escalation']) {
      assert.ok(problems.some((p) => p.startsWith(field)), `${field} in ${problems.join(' | ')}`);
    }
  });
});

/**
 * The judge's config as a policy sets it: off by default, `min_confidence` defaulting to
 * 0.7, every wrong field reported.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GOAL_DEVIATION_DEFAULTS, validateGoalDeviation } from './config.js';

describe('judge config', () => {
  it('is off by default, with a confidence floor', () => {
    assert.equal(GOAL_DEVIATION_DEFAULTS.judge.url, '');
    assert.equal(GOAL_DEVIATION_DEFAULTS.judge.min_confidence, 0.7);
  });
  it('reads an override over the defaults', () => {
    const check = validateGoalDeviation({ judge: { url: 'http://127.0.0.1:9/judge', min_confidence: 0.85 } }, GOAL_DEVIATION_DEFAULTS);
    assert.deepEqual(check.problems, []);
    assert.deepEqual(check.config.judge, { ...GOAL_DEVIATION_DEFAULTS.judge, url: 'http://127.0.0.1:9/judge', min_confidence: 0.85 });
  });
  it('reports every wrong field', () => {
    const check = validateGoalDeviation({ judge: { url: 'judge.local', min_confidence: 1.5, borderline_min: 0.9, borderline_max: 0.2 } }, GOAL_DEVIATION_DEFAULTS);
    assert.deepEqual(check.problems.map((p) => p.split(':')[0]), ['judge.url', 'judge.min_confidence', 'judge.borderline_min']);
  });
});

/**
 * scope_drift config: the defaults (defaults.yaml) are valid, overrides merge over them, and
 * validation reports every problem naming its field.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { scopeDriftFactory } from './index.js';

describe('scope_drift config', () => {
  it('loads defaults.yaml', () => {
    const d = scopeDriftFactory.defaults;
    assert.equal(d.learn_actions, 5);
    assert.ok(d.sensitive_kinds.some((k) => k.kind === 'credentials' && k.patterns.includes('~/.ssh/**')));
    assert.ok(d.known_targets.includes('/tmp/**'));
    assert.equal(d.distance.uri['k8s']?.depth, 2);
  });
  it('merges a partial override over the base', () => {
    const { config, problems } = scopeDriftFactory.validate({ deny: ['k8s://*/kube-system/**'], thresholds: { high: 1.2 }, distance: { uri: { k8s: { levels: [1, 0.9] } } } }, scopeDriftFactory.defaults);
    assert.deepEqual(problems, []);
    assert.deepEqual(config.deny, ['k8s://*/kube-system/**']);
    assert.equal(config.thresholds.medium, 0.5);
    assert.equal(config.thresholds.high, 1.2);
    assert.deepEqual(config.distance.uri['k8s'], { depth: 2, levels: [1, 0.9] });
    assert.equal(config.distance.uri['aws']?.depth, 2);
  });
  it('reports every problem with its field', () => {
    const { problems } = scopeDriftFactory.validate({
      allow: 'src/**', learn_actions: 0, thresholds: { medium: 2, high: 1 }, read_outside_allow: 'info', colour: 1,
      sensitive_kinds: [{ weight: 'x' }], distance: { uri: { k8s: { levels: [] } } },
    }, scopeDriftFactory.defaults);
    for (const field of ['allow', 'learn_actions', 'thresholds.medium', 'read_outside_allow', 'colour', 'sensitive_kinds[0].kind', 'sensitive_kinds[0].weight', 'distance.uri.k8s.levels']) {
      assert.ok(problems.some((p) => p.startsWith(field)), `${field} in ${problems.join(' | ')}`);
    }
  });
  it('rejects a non-object config', () => {
    assert.deepEqual(scopeDriftFactory.validate(42, scopeDriftFactory.defaults).problems, ['config: expected a mapping, got 42']);
  });
});

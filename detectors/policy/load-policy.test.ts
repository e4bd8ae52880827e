/**
 * Policy loading and resolution: the shipped policy loads; a policy with tenant and agent
 * overrides folds in order; a policy full of mistakes reports every one of them at once.
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { PermanentError } from '../../lib/errors.js';
import type { BudgetConfig } from '../capability-budget/config.js';
import type { BurstConfig } from '../destructive-burst/config.js';
import { defaultPolicy, loadPolicy, POLICY_INVALID } from './load-policy.js';
import { resolve } from './resolve-policy.js';
import type { ResolvedPolicy } from './policy-types.js';

const fixture = (name: string): string => fileURLToPath(new URL(`./testdata/${name}`, import.meta.url));

function configOf<C>(r: ResolvedPolicy, name: string): C | undefined {
  return r.detectors.find((d) => d.factory.name === name)?.config as C | undefined;
}

function problemsOf(file: string): string[] {
  try {
    loadPolicy(fixture(file));
  } catch (err) {
    assert.ok(err instanceof PermanentError);
    assert.equal(err.code, POLICY_INVALID);
    return err.details.problems as string[];
  }
  assert.fail('expected POLICY_INVALID');
}

describe('policy', () => {
  it('ships a valid default policy that enables every registered detector', () => {
    const r = resolve(defaultPolicy(), 'default', 'agent');
    assert.equal(r.mode, 'enforce');
    assert.equal(r.kill_switch.revoke_at, 'high');
    assert.deepEqual(r.kill_switch.detectors.preview_before_apply, { revoke_at: 'never' });
    assert.equal(r.detectors.length, defaultPolicy().factories.length);
  });

  it('folds tenant-wide then tenant+agent overrides over the base', () => {
    const policy = loadPolicy(fixture('tenant_overrides_policy.yaml'));
    const other = resolve(policy, 'globex', 'any');
    assert.equal(configOf<BurstConfig>(other, 'destructive_burst')!.window_ms, 20000);
    assert.equal(configOf<BudgetConfig>(other, 'capability_budget')!.budget, 40);
    assert.equal(other.mode, 'enforce');

    const acme = resolve(policy, 'acme', 'coder');
    assert.equal(acme.mode, 'monitor');
    assert.equal(acme.kill_switch.mode, 'monitor');
    assert.deepEqual(configOf<BudgetConfig>(acme, 'capability_budget'), { ...configOf<BudgetConfig>(other, 'capability_budget')!, regen_per_minute: 2 });
    assert.deepEqual(acme.scope, { allow: ['/home/dev/**'], deny: ['/etc/**', 'k8s://*/kube-system/**'] });

    const bot = resolve(policy, 'acme', 'release-bot');
    const budget = configOf<BudgetConfig>(bot, 'capability_budget')!;
    assert.equal(budget.budget, 150);
    assert.equal(budget.regen_per_minute, 2);
    assert.equal(bot.kill_switch.revoke_at, 'critical');
    assert.equal(configOf(bot, 'preview_before_apply'), undefined);
    assert.deepEqual(bot.scope, { allow: ['tf://**'], deny: ['/etc/**', 'k8s://*/kube-system/**', 'db://**'] });
  });

  it('reports every problem of a broken policy at once', () => {
    const problems = problemsOf('typos_everywhere_policy.yaml');
    const expected = [
      /^version: must be 1/,
      /^mode: must be one of enforce, monitor/,
      /^kill_swich: unknown key/,
      /^kill_switch\.revoke_at: must be one of low/,
      /^kill_switch\.detectors\.destructive_burst\.revoke_at: must be one of/,
      /^kill_switch\.detectors\.made_up_detector: unknown detector/,
      /^scope\.denied: unknown key/,
      /^scope\.allow: must be a list/,
      /^detectors\.goal_deviatoin: unknown detector/,
      /^detectors\.capability_budget\.enabled: must be true or false/,
      /^detectors\.capability_budget\.budget: must be a number/,
      /^detectors\.destructive_burst\.unknown_knob: unknown key/,
      /^detectors\.destructive_burst\.window_ms: must be at least 100/,
      /^detectors\.destructive_burst\.floors\[0\]\.severity: must be one of/,
      /^detectors\.destructive_burst\.floors\[0\]\.weight: must be greater than 0/,
      /^detectors\.destructive_burst\.baseline\.alpha: must be at most 1/,
      /^detectors\.destructive_burst\.baseline\.p_high: must not exceed/,
      /^overrides\[0\]\.tenant: must be a non-empty string/,
      /^overrides\[1\]\.detectors\.capability_budget\.warn_fraction: must be at most 1/,
    ];
    for (const re of expected) assert.ok(problems.some((p) => re.test(p)), `missing ${re}; got:\n${problems.join('\n')}`);
    assert.equal(problems.length, expected.length, problems.join('\n'));
  });

  it('reports YAML syntax errors and unreadable files as POLICY_INVALID', () => {
    assert.match(problemsOf('not_yaml_policy.yaml')[0]!, /^yaml: /);
    assert.match(problemsOf('no_such_policy.yaml')[0]!, /cannot read/);
  });
});

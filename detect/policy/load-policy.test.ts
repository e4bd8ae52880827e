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
      /^version: expected 1, got 2$/,
      /^mode: expected one of enforce, monitor, got "enforced"$/,
      /^kill_swich: unknown key \(known: version, mode, kill_switch,/,
      /^kill_switch\.revoke_at: expected one of low, medium, high, critical, got "severe"$/,
      /^kill_switch\.detectors\.destructive_burst\.revoke_at: expected one of .*, never, got "sometimes"$/,
      /^kill_switch\.detectors\.made_up_detector: unknown detector/,
      /^scope\.denied: unknown key \(known: allow, deny\)$/,
      /^scope\.allow: expected a list of non-empty strings, got "\/home\/\*\*"$/,
      /^detectors\.goal_deviatoin: unknown detector/,
      /^detectors\.capability_budget\.enabled: expected true or false, got "maybe"$/,
      /^detectors\.capability_budget\.budget: expected a number greater than 0, got "fifty"$/,
      /^detectors\.destructive_burst\.unknown_knob: unknown key \(known: window_ms,/,
      /^detectors\.destructive_burst\.window_ms: expected an integer of at least 100, got -5$/,
      /^detectors\.destructive_burst\.floors\[0\]\.severity: expected one of low, medium, high, critical, got "extreme"$/,
      /^detectors\.destructive_burst\.floors\[0\]\.weight: expected a number greater than 0, got 0$/,
      /^detectors\.destructive_burst\.baseline\.alpha: expected a number greater than 0 and at most 1, got 2$/,
      /^detectors\.destructive_burst\.baseline\.p_high: must not exceed baseline\.p_medium \(0\.001\)$/,
      /^overrides\[0\]\.tenant: missing \(expected a non-empty string\)$/,
      /^overrides\[1\]\.detectors\.capability_budget\.warn_fraction: expected a number between 0 and 1, got 1\.5$/,
    ];
    for (const re of expected) assert.ok(problems.some((p) => re.test(p)), `missing ${re}; got:\n${problems.join('\n')}`);
    assert.equal(problems.length, expected.length, problems.join('\n'));
  });

  it('reports YAML syntax errors and unreadable files as POLICY_INVALID', () => {
    assert.match(problemsOf('not_yaml_policy.yaml')[0]!, /^yaml: /);
    assert.match(problemsOf('no_such_policy.yaml')[0]!, /cannot read/);
  });
});

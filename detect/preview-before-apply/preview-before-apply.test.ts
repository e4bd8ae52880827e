/**
 * Preview-before-apply beyond its scenario file: exact severities by environment, reporting
 * once per unpreviewed target, stale and failed previews, terraform workspaces, and policy
 * validation of tool entries.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runScenario, type ScenarioStep } from '../testing/scenario.js';
import { PREVIEW_DEFAULTS } from './config.js';
import { previewBeforeApplyFactory } from './index.js';

function severities(steps: ScenarioStep[], session: { environment?: string } = {}): string[] {
  return runScenario(previewBeforeApplyFactory, { name: 'unit', session, steps }).all.map((f) => f.severity);
}

describe('preview_before_apply', () => {
  it('sets severity from the declared environment, else words in the target', () => {
    assert.deepEqual(severities([{ command: 'helm upgrade api ./chart' }], { environment: 'production' }), ['high']);
    assert.deepEqual(severities([{ command: 'helm upgrade api ./chart -n stg-eu' }]), ['medium']);
    assert.deepEqual(severities([{ command: 'kubectl apply -f app.yaml -n payments', cwd: '/srv/app' }]), ['low']);
  });

  it('reports an unpreviewed target once until it is previewed', () => {
    const cwd = '/work/infra/prod';
    assert.deepEqual(
      severities([
        { command: 'terraform apply', cwd },
        { command: 'terraform apply', cwd },
        { command: 'terraform plan', cwd },
        { command: 'terraform apply', cwd },
      ]),
      ['high'],
    );
  });

  it('does not count failed or stale previews', () => {
    const cwd = '/work/infra/prod';
    assert.deepEqual(severities([{ command: 'terraform plan', cwd, status: 'error' }, { command: 'terraform apply', cwd }]), ['high']);
    assert.deepEqual(severities([{ command: 'terraform plan', cwd }, { after_ms: 2 * 3_600_000, command: 'terraform apply', cwd }]), ['high']);
  });

  it('matches terraform plans per workspace', () => {
    const cwd = '/work/infra/app';
    const steps: ScenarioStep[] = [
      { command: 'terraform workspace select staging', cwd },
      { command: 'terraform plan', cwd },
      { command: 'terraform workspace select prod', cwd },
      { command: 'terraform apply', cwd },
    ];
    assert.deepEqual(severities(steps), ['high']);
    assert.deepEqual(severities(steps.slice(0, 2).concat({ command: 'terraform apply', cwd })), []);
  });

  it('validates tool entries added by policy, reporting every problem', () => {
    const ok = previewBeforeApplyFactory.validate({ tools: { pulumi: { commands: ['pulumi'], apply: [['up']], preview: [['preview']], match_on: ['dir'], hint: '`pulumi preview`' } } }, PREVIEW_DEFAULTS);
    assert.deepEqual(ok.problems, []);
    const bad = previewBeforeApplyFactory.validate({ tools: { pulumi: { commands: 'pulumi', apply: [], match_on: ['stack'], hint: '', colour: 1 } }, severity_by_environment: { moon: 'high' } }, PREVIEW_DEFAULTS);
    assert.equal(bad.problems.length, 6, bad.problems.join('\n'));
  });
});

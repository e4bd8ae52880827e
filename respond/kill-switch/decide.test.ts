/**
 * decide() as a table: policy, session state and finding in, the decision and the words of its
 * reason out, including the cases that must not revoke.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DetectorName, Finding, FindingSeverity } from '../../model/finding.js';
import type { KillSwitchPolicy } from '../../detect/policy/policy-types.js';
import { decide } from './decide.js';

function finding(detector: DetectorName, severity: FindingSeverity): Finding {
  return {
    id: 'f1', tenant: 't', session_id: 's', agent_id: 'a', detector, severity, score: 0.9,
    title: 'terraform destroy on prod', explanation: 'because', evidence: ['e1'], rule: detector, target: '', why: '', instead: '', at: '2026-01-01T00:00:00.000000000Z',
  };
}

const enforce: KillSwitchPolicy = {
  mode: 'enforce',
  revoke_at: 'high',
  detectors: { goal_deviation: { revoke_at: 'critical' }, capability_budget: { revoke_at: 'never' }, scope_drift: { revoke_at: 'medium' } },
};
const active = { state: 'active' as const, revoked: null };
const revoked = { state: 'revoked' as const, revoked: { at: '2026-01-01T00:00:00.000000000Z', by: 'operator:kim', reason: 'x', finding_id: null } };

const cases: Array<{ name: string; policy: KillSwitchPolicy; session: typeof active | typeof revoked; f: Finding; revoke: boolean; reason: RegExp }> = [
  { name: 'high at revoke_at high revokes', policy: enforce, session: active, f: finding('destructive_burst', 'high'), revoke: true, reason: /^destructive_burst reported high: terraform destroy on prod \(revoke_at high\)$/ },
  { name: 'critical above revoke_at revokes', policy: enforce, session: active, f: finding('intent_mismatch', 'critical'), revoke: true, reason: /intent_mismatch reported critical/ },
  { name: 'medium below revoke_at does not', policy: enforce, session: active, f: finding('destructive_burst', 'medium'), revoke: false, reason: /^below revoke_at high: destructive_burst reported medium/ },
  { name: 'low never revokes at high', policy: enforce, session: active, f: finding('intent_mismatch', 'low'), revoke: false, reason: /below revoke_at high/ },
  { name: 'override raises the bar', policy: enforce, session: active, f: finding('goal_deviation', 'high'), revoke: false, reason: /^below goal_deviation\.revoke_at critical/ },
  { name: 'override reached', policy: enforce, session: active, f: finding('goal_deviation', 'critical'), revoke: true, reason: /\(goal_deviation\.revoke_at critical\)$/ },
  { name: 'override lowers the bar', policy: enforce, session: active, f: finding('scope_drift', 'medium'), revoke: true, reason: /scope_drift reported medium.*scope_drift\.revoke_at medium/ },
  { name: 'never overrides even critical', policy: enforce, session: active, f: finding('capability_budget', 'critical'), revoke: false, reason: /^capability_budget\.revoke_at is never: capability_budget reported critical/ },
  { name: 'monitor mode never revokes', policy: { ...enforce, mode: 'monitor' }, session: active, f: finding('destructive_burst', 'critical'), revoke: false, reason: /^monitor mode, not revoked: destructive_burst reported critical: terraform destroy on prod$/ },
  { name: 'already revoked is not revoked again', policy: enforce, session: revoked, f: finding('destructive_burst', 'critical'), revoke: false, reason: /^session already revoked: destructive_burst/ },
  { name: 'revoke_at low revokes everything', policy: { ...enforce, revoke_at: 'low' }, session: active, f: finding('intent_mismatch', 'low'), revoke: true, reason: /revoke_at low/ },
];

describe('decide', () => {
  for (const c of cases) {
    it(c.name, () => {
      const d = decide(c.f, c.session, c.policy);
      assert.equal(d.revoke, c.revoke);
      assert.match(d.reason, c.reason);
    });
  }

  it('is pure: the same inputs give the same decision and nothing is mutated', () => {
    const policy = structuredClone(enforce);
    const f = finding('destructive_burst', 'high');
    const before = structuredClone(f);
    assert.deepEqual(decide(f, active, policy), decide(f, active, policy));
    assert.deepEqual(f, before);
    assert.deepEqual(policy, enforce);
  });
});

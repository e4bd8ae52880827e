/**
 * The kill-switch decision: pure policy, no effects. Given a finding, the session it is about and
 * the policy, answer whether to revoke and why, in words an operator reads in the webhook and the
 * revocation log. Monitor mode never revokes; a session already revoked is not revoked twice; a
 * per-detector `revoke_at` (or `never`) overrides the global threshold; otherwise a finding at or
 * above `revoke_at` revokes.
 */
import { atLeast, type Finding } from '../../model/finding.js';
import type { SessionState } from '../../detect/session/session-state.js';
import type { Decision } from './contracts.js';
import type { KillSwitchPolicy } from '../../detect/policy/policy-types.js';

export function decide(finding: Finding, session: Pick<SessionState, 'state' | 'revoked'>, policy: KillSwitchPolicy): Decision {
  const what = `${finding.detector} reported ${finding.severity}: ${finding.title}`;
  if (policy.mode === 'monitor') return { revoke: false, reason: `monitor mode, not revoked: ${what}` };
  if (session.state === 'revoked' || session.revoked !== null) {
    return { revoke: false, reason: `session already revoked: ${what}` };
  }
  const override = policy.detectors[finding.detector]?.revoke_at;
  const threshold = override ?? policy.revoke_at;
  const source = override === undefined ? 'revoke_at' : `${finding.detector}.revoke_at`;
  if (threshold === 'never') return { revoke: false, reason: `${source} is never: ${what}` };
  if (atLeast(finding.severity, threshold)) return { revoke: true, reason: `${what} (${source} ${threshold})` };
  return { revoke: false, reason: `below ${source} ${threshold}: ${what}` };
}

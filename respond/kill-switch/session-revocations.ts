/**
 * The kill switch's policy where it meets the session state: a finding severe enough under the
 * resolved policy revokes its session, and every revocation or reinstatement — from a detector,
 * an operator, another instance or the log read at start — is applied to the session registry
 * that the gate, the verdicts and the detectors read. The registry is marked before the first
 * await, so the session's very next event is already judged as post-revocation activity.
 */
import type { FindingHandler } from '../../detect/engine/detection-engine.js';
import type { RevocationInfo } from '../../model/session.js';
import type { RevocationRecord } from './contracts.js';
import { decide } from './decide.js';
import type { KillSwitchService } from './revocation-service.js';

/** The part of the session registry revocations change. */
export interface RevocableSessions {
  markRevoked(tenant: string, sessionId: string, info: RevocationInfo): void;
  markReinstated(tenant: string, sessionId: string): void;
  revocationOf(tenant: string, sessionId: string): RevocationInfo | null;
}

/** Applies a revocation record to the registry (a session already revoked keeps its first revocation). */
export function applyRevocation(sessions: RevocableSessions): (record: RevocationRecord) => void {
  return (record) => {
    if (record.action === 'reinstate') return sessions.markReinstated(record.tenant, record.session_id);
    if (sessions.revocationOf(record.tenant, record.session_id)) return;
    sessions.markRevoked(record.tenant, record.session_id, { at: record.at, by: record.by, reason: record.reason, finding_id: record.finding_id });
  };
}

/**
 * The detection engine's finding handler: decide per the policy and mark the registry (before any
 * await: the gate's answer for the call that found it already says revoked), then notify, then revoke.
 */
export function revokeOnFinding(sessions: RevocableSessions, service: Pick<KillSwitchService, 'notifyFinding' | 'revoke'>): FindingHandler {
  return async (finding, session, resolved) => {
    const decision = decide(finding, session, resolved.kill_switch);
    const by = `detector:${finding.detector}`;
    if (decision.revoke) sessions.markRevoked(session.tenant, session.id, { at: finding.at, by, reason: decision.reason, finding_id: finding.id });
    await service.notifyFinding(finding);
    if (!decision.revoke) return;
    await service.revoke({ tenant: session.tenant, sessionId: session.id, agentId: session.agent_id, userId: session.user_id, by, reason: decision.reason, finding });
  };
}

/**
 * Webhook bodies (API.md, "Kill-switch webhook"): `{type, timestamp, data}`. `session.revoked`
 * carries tenant, session_id, agent_id, user, reason, revoked_by and the finding (null for a
 * manual revoke); `session.reinstated` the same identity with reason and reinstated_by;
 * `finding.created` (opt-in) the finding itself. The timestamp is the record's time, so retries
 * and redeliveries carry byte-identical bodies.
 */
import type { Finding } from '../finding.js';
import type { RevocationRecord } from './contracts.js';

export interface SessionIdentity {
  agentId: string;
  userId: string;
}

export function revokedPayload(record: RevocationRecord, who: SessionIdentity, finding: Finding | null): string {
  return JSON.stringify({
    type: 'session.revoked',
    timestamp: record.at,
    data: { tenant: record.tenant, session_id: record.session_id, agent_id: who.agentId, user: who.userId, reason: record.reason, revoked_by: record.by, finding },
  });
}

export function reinstatedPayload(record: RevocationRecord, who: SessionIdentity): string {
  return JSON.stringify({
    type: 'session.reinstated',
    timestamp: record.at,
    data: { tenant: record.tenant, session_id: record.session_id, agent_id: who.agentId, user: who.userId, reason: record.reason, reinstated_by: record.by },
  });
}

export function findingPayload(finding: Finding): string {
  return JSON.stringify({ type: 'finding.created', timestamp: finding.at, data: finding });
}

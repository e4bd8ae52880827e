/**
 * Webhook bodies (README, "Detection and the kill switch"): `{type, timestamp, data}`. `session.revoked`
 * carries tenant, session_id, agent_id, user, reason, revoked_by and the finding (null for a
 * manual revoke); `session.reinstated` the same identity with reason and reinstated_by;
 * `finding.created` (opt-in) the finding itself. The timestamp is the record's time, so retries
 * and redeliveries carry byte-identical bodies. `recordWebhook` is the one place that turns a
 * log record into its event: type, body and the seed of its webhook-id (the record's hash, so
 * the id is the same whoever enqueues it — the service at revoke time or recovery at start).
 */
import type { Finding } from '../../model/finding.js';
import type { RevocationRecord } from './contracts.js';
import type { WebhookEventType } from '../../config/webhook-endpoints.js';

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

/** What a log record is sent as. `seed` goes into the webhook-id with the type and the endpoint. */
export interface RecordWebhook {
  type: Extract<WebhookEventType, 'session.revoked' | 'session.reinstated'>;
  payload: string;
  seed: string;
}

export function recordWebhook(record: RevocationRecord, who: SessionIdentity, finding: Finding | null): RecordWebhook {
  return record.action === 'revoke'
    ? { type: 'session.revoked', payload: revokedPayload(record, who, finding), seed: record.hash }
    : { type: 'session.reinstated', payload: reinstatedPayload(record, who), seed: record.hash };
}

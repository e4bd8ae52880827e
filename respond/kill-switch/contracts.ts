/**
 * The kill switch's contracts. The decision is pure policy (finding + session + policy →
 * revoke or not); the effects — revocation record, session state, webhooks, revocation topic —
 * sit behind RevocationService. Verdicts for hooks are answered from memory.
 */
import type { Finding } from '../../model/finding.js';
import type { RevocationInfo } from '../../model/session.js';

export interface Decision {
  revoke: boolean;
  /** Why, in words (shown to operators and in the webhook). */
  reason: string;
}

export type RevocationAction = 'revoke' | 'reinstate';

/** One line of the append-only, hash-chained revocation log. */
export interface RevocationRecord {
  seq: number;
  /** RFC 3339 with nanoseconds. */
  at: string;
  tenant: string;
  session_id: string;
  action: RevocationAction;
  /** `detector:<name>` or `operator:<name>`. */
  by: string;
  reason: string;
  finding_id: string | null;
  /** Hex SHA-256 of the previous record (64 zeros for the first). */
  prev_hash: string;
  /** Hex SHA-256 over this record's canonical fields and prev_hash. */
  hash: string;
}

export interface RevokeRequest {
  tenant: string;
  sessionId: string;
  agentId?: string;
  userId?: string;
  by: string;
  reason: string;
  finding?: Finding;
}

export interface ReinstateRequest {
  tenant: string;
  sessionId: string;
  by: string;
  reason: string;
}

export interface RevocationService {
  /** Revokes; resolves with the record, or null when the session was already revoked. */
  revoke(request: RevokeRequest): Promise<RevocationRecord | null>;
  /** Lifts a revocation; resolves with the record, or null when the session was not revoked. */
  reinstate(request: ReinstateRequest): Promise<RevocationRecord | null>;
  /** Memory lookup: the current revocation of a session, if any. */
  revocationOf(tenant: string, sessionId: string): RevocationInfo | null;
}

export interface Verdict {
  allow: boolean;
  reason: string;
}

/**
 * What Warden knows about one live session, in memory, per instance (a session's events live on
 * one partition, so one instance owns it). Declarations (goal, scope, environment) follow
 * CONVENTIONS.md: the first value seen wins unless a later event explicitly updates it. Detector
 * state lives in `slots`, one per detector, so expiring a session frees everything at once.
 */
import type { AuditEvent } from '../../model/audit-event.js';
import type { DetectorName } from '../../model/finding.js';

export interface RevocationInfo {
  /** RFC 3339 with nanoseconds. */
  at: string;
  /** `detector:<name>` or `operator:<name>`. */
  by: string;
  reason: string;
  finding_id: string | null;
}

export interface SessionCounts {
  events: number;
  intents: number;
  executions: number;
  destructive: number;
}

export interface SessionState {
  tenant: string;
  id: string;
  agent_id: string;
  user_id: string;
  goal: string;
  scope_allow: string[];
  scope_deny: string[];
  environment: string;
  state: 'active' | 'revoked';
  revoked: RevocationInfo | null;
  /** Milliseconds since the epoch (clock time when first/last seen). */
  first_seen_ms: number;
  last_seen_ms: number;
  counts: SessionCounts;
  /** The most recent events, oldest first, bounded. */
  recent: AuditEvent[];
  /** Per-detector state; created lazily by each detector. */
  slots: Map<DetectorName, unknown>;
}

export function sessionKey(tenant: string, sessionId: string): string {
  return `${tenant}\u0000${sessionId}`;
}

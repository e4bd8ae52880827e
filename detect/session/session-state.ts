/**
 * What Warden knows about one live session, in memory, per instance (a session's events live on
 * one partition, so one instance owns it): the model's `SessionRecord` (model/session.ts) and the
 * detection engine's working state beside it. Declarations (goal, scope, environment) follow
 * CONVENTIONS.md: the first value seen wins unless a later event explicitly updates it. Detector
 * state lives in `slots`, one per detector, so expiring a session frees everything at once.
 */
import type { AuditEvent } from '../../model/audit-event.js';
import type { DetectorName } from '../../model/finding.js';
import type { SessionRecord, SessionStatus } from '../../model/session.js';

/** The model's session record, plus what detection works with: its status, recent events and detector slots. */
export interface SessionState extends SessionRecord {
  state: SessionStatus;
  /** The most recent events, oldest first, bounded. */
  recent: AuditEvent[];
  /** Per-detector state; created lazily by each detector. */
  slots: Map<DetectorName, unknown>;
}

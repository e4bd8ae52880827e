/**
 * What Warden knows about one live session, in memory, per instance (a session's events live on
 * one partition, so one instance owns it): the model's `SessionRecord` (model/session.ts) and the
 * detection engine's working state beside it. Declarations (goal, scope, environment) follow
 * CONVENTIONS.md: the first value seen wins unless a later event explicitly updates it. Detector
 * state lives in `slots`, one per detector, so expiring a session frees everything at once.
 */
import type { DetectorName } from '../../model/finding.js';
import type { SessionRecord, SessionStatus } from '../../model/session.js';

/** The model's session record, plus what detection works with: its status, recent event ids and detector slots. */
export interface SessionState extends SessionRecord {
  state: SessionStatus;
  /**
   * The ids of the most recent events judged, oldest first, bounded: a redelivered copy is known
   * by its id. Only the ids: holding the events themselves (a few kilobytes each, for hundreds per
   * session) kept every event alive long enough to be copied twice and promoted by the garbage
   * collector, whose pauses held up the event loop that answers the gate.
   */
  recentIds: string[];
  /** Per-detector state; created lazily by each detector. */
  slots: Map<DetectorName, unknown>;
}

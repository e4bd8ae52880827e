/**
 * What the gate remembers that must outlive the instance holding it (a session's owner changes
 * on a rebalance or when an instance dies; an embedded Warden restarts), and the port through
 * which it is kept — implemented over ClickHouse in the store stage, passed in by the assembly:
 *
 * - a **grant**: an operator let the next call like a denied one (same session, tool and
 *   command) through once — who, why, when, until when, and once used, by which intent. A grant
 *   is written before the operator is told it stands (`saveGrant`), and its use is written before
 *   the call it lets through is answered (`consume`), after checking no other instance used it
 *   (`consumedBy`): a grant is used once, whichever instance holds the session.
 * - a **stopped call**: a decision that denied or asked (not one made because the session was
 *   already revoked), with the key of the call it stopped, so the same call asked again is
 *   answered alike and an operator can still allow it once on the session's next owner. Written
 *   in batches (`addStopped`): a call stopped in the last moments before an owner change may be
 *   judged afresh by the next owner.
 *
 * `GateMemorySnapshot` is what the store reads back when an instance takes sessions over; the
 * gate merges it into what it holds (`Gate.restore`). A row that cannot be read is counted and
 * skipped by the store, never a crash.
 */
import type { GateDecision } from './gate-service.js';

export interface Grant {
  grant_id: string;
  tenant: string;
  session_id: string;
  /** The call it lets through: the key of (tenant, session, tool, command or arguments). */
  call_key: string;
  /** The decision the operator allowed. */
  decision_id: string;
  by: string;
  reason: string;
  granted_at_ms: number;
  expires_at_ms: number;
  /** The intent (event id) that used the grant; '' while it is unused. */
  consumed_event: string;
  consumed_at_ms: number;
}

export interface StoppedCall {
  call_key: string;
  decision: GateDecision;
}

export interface GateMemorySnapshot {
  /** Unexpired grants, used or not, oldest first. */
  grants: Grant[];
  /** Recent stopped calls, oldest first (a later one for the same call supersedes). */
  stopped: StoppedCall[];
}

export interface GateMemoryStore {
  /** Durably records a new grant; rejects when it could not. */
  saveGrant(grant: Grant): Promise<void>;
  /** The intent (event id) that used this grant on any instance, or null while unused. */
  consumedBy(grant: Grant): Promise<string | null>;
  /** Durably records the grant's use (`consumed_event` set); rejects when it could not. */
  consume(grant: Grant): Promise<void>;
  /** Records a stopped call in the background. */
  addStopped(stopped: StoppedCall): void;
}

/** Where a snapshot goes: the gate. */
export interface GateMemoryTarget {
  restore(snapshot: GateMemorySnapshot): { grants: number; stopped: number };
}

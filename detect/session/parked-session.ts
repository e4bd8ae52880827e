/**
 * What of a session must survive its eviction from memory: its declarations (goal, scope
 * allow/deny, environment), identity, first/last seen and counts — a few hundred bytes, not the
 * session's recent events and detector slots. A `ParkedSession` is that record.
 *
 * Where it lives, in three tiers (the choice, and why):
 *
 * 1. A live session sits in the registry's per-tenant session map with its detector state.
 * 2. When memory pushes a live session out (its tenant's cap, or the global cap taking from the
 *    largest tenant) and it declared something, its `ParkedSession` goes to a compact,
 *    separately bounded per-tenant map, far larger than the session map. Restoring from it is
 *    synchronous, so the engine's path stays synchronous and the session's next event is judged
 *    against its declarations with no wait — this covers every eviction short of a tenant
 *    parking more declared sessions than its own parked cap.
 * 3. Only past that cap does a parked record leave memory: it is written to ClickHouse's
 *    `sessions` table (the same row the session store keeps current) and its key joins a
 *    per-tenant set of spilled keys (keys only). A revocation pushed out of the registry's
 *    revocation map spills the same way (the revocation log's ClickHouse mirror already holds
 *    it). The next event of a spilled session is held by the engine — bounded per session and in
 *    sessions held at once — until a `SessionLoader` has read its declarations and revocation
 *    back; then the held events are judged in order.
 *
 * Holding every event of every new session until ClickHouse answered (the alternative) would
 * put a storage round trip in front of every session's first event, and a flood of new sessions
 * (the attack this answers) would turn into a flood of reads; with the tiers, only sessions that
 * were really spilled wait. If a spilled session cannot be reloaded (nothing stored, storage
 * failing, the hold full) the registry marks its state as lost: the session is still watched by
 * every detector, and its hook verdicts deny, saying why, until an operator reinstates it.
 */
import { sessionRecordOf, statusOf, type RevocationInfo, type SessionRecord } from '../../model/session.js';
import type { SessionState } from './session-state.js';

/**
 * A parked session is the model's session record as it is (model/session.ts), its revocation
 * being the one in force when it was parked (kept with it, whatever else is evicted).
 */
export type ParkedSession = SessionRecord;

/** What storage holds of a spilled session: its declarations and its current revocation. */
export interface ReloadedSession {
  parked: ParkedSession | null;
  revoked: RevocationInfo | null;
}

/** Reads a spilled session back from storage (rejects when storage fails). */
export type SessionLoader = (tenant: string, sessionId: string) => Promise<ReloadedSession>;

/**
 * Where a session's state is: `live` (in memory with its detector state), `parked` (its
 * declarations in memory), `spilled` (in storage only; reloaded on its next event), `loading`,
 * `lost` (Warden knew it but could not keep or reload it — verdicts deny) or `unknown` (never
 * seen, or expired idle).
 */
export type Custody = 'live' | 'parked' | 'spilled' | 'loading' | 'lost' | 'unknown';

/** True when a session holds something that must outlive its eviction: a declaration or a revocation. */
export function worthParking(s: SessionState): boolean {
  return s.goal !== '' || s.scope_allow.length > 0 || s.scope_deny.length > 0 || s.environment !== '' || s.revoked !== null;
}

export function parkedOf(s: SessionState): ParkedSession {
  return sessionRecordOf(s);
}

/** A session rebuilt from its parked record: declarations back, no recent event ids or detector state. */
export function sessionFromParked(p: ParkedSession, revoked: RevocationInfo | null): SessionState {
  return { ...sessionRecordOf(p), state: statusOf(revoked), revoked, recentIds: [], slots: new Map() };
}

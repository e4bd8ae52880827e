/**
 * The read side of live sessions that the API and verdict path need: look one up, list them,
 * and ask where a session's state is (`custody`: a session Warden knew but no longer holds is
 * `lost`, one in storage only is `spilled` until `reload` reads it back). The session registry
 * implements it; the operator API takes it as a collaborator.
 */
import type { SessionStatus } from '../../model/session.js';
import type { Custody } from './parked-session.js';
import type { SessionState } from './session-state.js';

export interface SessionFilter {
  tenant: string;
  state?: SessionStatus;
  agent?: string;
  /** Only sessions seen at or after this time (ms since the epoch). */
  sinceMs?: number;
  limit: number;
}

export interface SessionDirectory {
  get(tenant: string, sessionId: string): SessionState | undefined;
  list(filter: SessionFilter): SessionState[];
  custody?(tenant: string, sessionId: string): Custody;
  /** Starts reading a spilled session back; resolves when done (never rejects). */
  reload?(tenant: string, sessionId: string): Promise<void>;
}

/**
 * The read side of live sessions that the API and verdict path need: look one up, list them.
 * The session registry implements it; the operator API takes it as a collaborator.
 */
import type { SessionState } from './session-state.js';

export interface SessionFilter {
  tenant: string;
  state?: 'active' | 'revoked';
  agent?: string;
  /** Only sessions seen at or after this time (ms since the epoch). */
  sinceMs?: number;
  limit: number;
}

export interface SessionDirectory {
  get(tenant: string, sessionId: string): SessionState | undefined;
  list(filter: SessionFilter): SessionState[];
}

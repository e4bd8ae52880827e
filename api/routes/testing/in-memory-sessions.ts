/**
 * InMemorySessionDirectory: a SessionDirectory over a plain map, for tests of the operator API
 * until the session registry is wired. Tests put SessionStates in with `put`; `list` applies the
 * contract's filter (tenant, state, agent, since) newest-first and cuts to the limit.
 */
import type { SessionDirectory, SessionFilter } from '../../../detectors/session/session-directory.js';
import { sessionKey, type SessionState } from '../../../detectors/session/session-state.js';

export class InMemorySessionDirectory implements SessionDirectory {
  private readonly sessions = new Map<string, SessionState>();

  put(state: SessionState): void {
    this.sessions.set(sessionKey(state.tenant, state.id), state);
  }

  get(tenant: string, sessionId: string): SessionState | undefined {
    return this.sessions.get(sessionKey(tenant, sessionId));
  }

  list(filter: SessionFilter): SessionState[] {
    return [...this.sessions.values()]
      .filter((s) => s.tenant === filter.tenant)
      .filter((s) => filter.state === undefined || s.state === filter.state)
      .filter((s) => filter.agent === undefined || s.agent_id === filter.agent)
      .filter((s) => filter.sinceMs === undefined || s.last_seen_ms >= filter.sinceMs)
      .sort((a, b) => b.last_seen_ms - a.last_seen_ms)
      .slice(0, filter.limit);
  }
}

/** A live session with every field filled; override what the test cares about. */
export function liveSession(overrides: Partial<SessionState> & Pick<SessionState, 'tenant' | 'id'>): SessionState {
  return {
    agent_id: 'claude-code',
    user_id: 'dev@example.com',
    goal: '',
    scope_allow: [],
    scope_deny: [],
    environment: '',
    state: 'active',
    revoked: null,
    first_seen_ms: Date.UTC(2026, 0, 1, 12),
    last_seen_ms: Date.UTC(2026, 0, 1, 12, 5),
    counts: { events: 0, intents: 0, executions: 0, destructive: 0 },
    recent: [],
    slots: new Map(),
    ...overrides,
  };
}

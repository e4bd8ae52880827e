/**
 * A session in the domain: one agent's run, named by its tenant and session id. This file is the
 * one place a session's fields are named and typed; every other shape of a session derives from
 * `SessionRecord` (the detection engine's live state extends it, a parked session is it, the
 * `sessions` row and the operator API's view are mapped from it in one function each).
 *
 * - identity: tenant, session id, agent, user — filled when first known, never changed after;
 * - declarations: goal, scope allow/deny, environment — what the session declared about its task
 *   (CONVENTIONS.md: the first value seen wins unless a later event explicitly updates it);
 * - lifecycle: first and last seen, and the revocation in force (`null` while active);
 * - counts: its events, intents, executions and destructive actions.
 */

export interface SessionIdentity {
  tenant: string;
  id: string;
  agent_id: string;
  user_id: string;
}

export interface SessionDeclarations {
  goal: string;
  scope_allow: string[];
  scope_deny: string[];
  environment: string;
}

/** A session's status: revoked while a revocation is in force, else active. */
export type SessionStatus = 'active' | 'revoked';

/** The revocation in force on a session. */
export interface RevocationInfo {
  /** RFC 3339 with nanoseconds. */
  at: string;
  /** `detector:<name>` or `operator:<name>`. */
  by: string;
  reason: string;
  finding_id: string | null;
}

export interface SessionLifecycle {
  /** Milliseconds since the epoch (clock time when first/last seen). */
  first_seen_ms: number;
  last_seen_ms: number;
  /** The revocation in force, or null while the session is active. */
  revoked: RevocationInfo | null;
}

export interface SessionCounts {
  events: number;
  intents: number;
  executions: number;
  destructive: number;
}

/** Everything the domain knows of one session, without any stage's working state. */
export interface SessionRecord extends SessionIdentity, SessionDeclarations, SessionLifecycle {
  counts: SessionCounts;
}

/** The key a session is held under wherever sessions of all tenants share a map: tenant and session id. */
export function sessionKey(tenant: string, sessionId: string): string {
  return `${tenant}\u0000${sessionId}`;
}

export function zeroCounts(): SessionCounts {
  return { events: 0, intents: 0, executions: 0, destructive: 0 };
}

export function statusOf(revoked: RevocationInfo | null): SessionStatus {
  return revoked ? 'revoked' : 'active';
}

/**
 * The record of a session whatever else the object carries (a live session's working state is
 * left behind): a copy, its scope lists and counts its own.
 */
export function sessionRecordOf(s: SessionRecord): SessionRecord {
  return {
    tenant: s.tenant,
    id: s.id,
    agent_id: s.agent_id,
    user_id: s.user_id,
    goal: s.goal,
    scope_allow: [...s.scope_allow],
    scope_deny: [...s.scope_deny],
    environment: s.environment,
    first_seen_ms: s.first_seen_ms,
    last_seen_ms: s.last_seen_ms,
    revoked: s.revoked,
    counts: { ...s.counts },
  };
}

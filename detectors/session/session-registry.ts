/**
 * The live sessions of this instance, in memory and bounded: at most `maxSessions`, least
 * recently seen evicted first, and sessions idle longer than `idleMs` (by the injected clock)
 * expire. `observe` creates or updates a session from an event — declarations follow
 * CONVENTIONS.md (first value wins; a `session`-phase event may update explicitly), identity is
 * filled when first known, counts and last-seen advance — and `remember` appends the event to the
 * session's bounded `recent` list afterwards (detectors see the previous events there).
 *
 * Revocations are kept apart from sessions, keyed by (tenant, session), so a revocation outlives
 * the session's expiry and applies to a session not seen yet (revoked by an operator first, or
 * before a restart): a session created later starts revoked.
 */
import type { AuditEvent } from '../../ingest/audit-event.js';
import type { Clock } from '../../lib/clock.js';
import { BoundedMap } from '../common/bounded.js';
import type { SessionDirectory, SessionFilter } from './session-directory.js';
import { sessionKey, type RevocationInfo, type SessionState } from './session-state.js';

export interface SessionRegistryOptions {
  clock: Clock;
  /** Sessions held at once (default 10 000). */
  maxSessions?: number;
  /** A session not seen for this long is dropped (default 30 min). */
  idleMs?: number;
  /** Events kept in `recent` per session (default 200). */
  recentSize?: number;
  /** Revocations remembered (default 100 000). */
  maxRevocations?: number;
  /** Called when a session's revocation state changes (e.g. to persist the session row). */
  onStateChange?: (session: SessionState) => void;
}

export const SESSION_DEFAULTS = { maxSessions: 10_000, idleMs: 30 * 60_000, recentSize: 200, maxRevocations: 100_000 };

export class SessionRegistry implements SessionDirectory {
  private readonly clock: Clock;
  private readonly maxSessions: number;
  private readonly idleMs: number;
  private readonly recentSize: number;
  /** Insertion order is recency order: the first entry is the least recently seen. */
  private readonly sessions = new Map<string, SessionState>();
  private readonly recentIds = new WeakMap<SessionState, Set<string>>();
  private readonly revocations: BoundedMap<string, RevocationInfo>;
  private readonly onStateChange: (session: SessionState) => void;

  constructor(options: SessionRegistryOptions) {
    this.clock = options.clock;
    this.maxSessions = options.maxSessions ?? SESSION_DEFAULTS.maxSessions;
    this.idleMs = options.idleMs ?? SESSION_DEFAULTS.idleMs;
    this.recentSize = options.recentSize ?? SESSION_DEFAULTS.recentSize;
    this.revocations = new BoundedMap(options.maxRevocations ?? SESSION_DEFAULTS.maxRevocations);
    this.onStateChange = options.onStateChange ?? (() => undefined);
  }

  get size(): number {
    return this.sessions.size;
  }

  get(tenant: string, sessionId: string): SessionState | undefined {
    return this.sessions.get(sessionKey(tenant, sessionId));
  }

  list(filter: SessionFilter): SessionState[] {
    const out: SessionState[] = [];
    const all = [...this.sessions.values()];
    for (let i = all.length - 1; i >= 0 && out.length < filter.limit; i--) {
      const s = all[i]!;
      if (s.tenant !== filter.tenant) continue;
      if (filter.state && s.state !== filter.state) continue;
      if (filter.agent && s.agent_id !== filter.agent) continue;
      if (filter.sinceMs !== undefined && s.last_seen_ms < filter.sinceMs) continue;
      out.push(s);
    }
    return out;
  }

  /** True when this event id is already among the session's recent events (a redelivery). */
  isDuplicate(event: AuditEvent): boolean {
    const s = this.get(event.tenant, event.session_id);
    return s !== undefined && (this.recentIds.get(s)?.has(event.event_id) ?? false);
  }

  observe(event: AuditEvent): SessionState {
    const now = this.clock.now();
    this.expire(now);
    const key = sessionKey(event.tenant, event.session_id);
    let s = this.sessions.get(key);
    if (s) this.sessions.delete(key);
    else s = this.create(event, key, now);
    this.sessions.set(key, s);
    this.evictOverflow();
    declare(s, event);
    s.last_seen_ms = now;
    s.counts.events++;
    if (event.phase === 'intent') s.counts.intents++;
    if (event.phase === 'execution') s.counts.executions++;
    if (event.destructive) s.counts.destructive++;
    return s;
  }

  /** Appends an event to the session's recent list (after detectors have seen it). */
  remember(session: SessionState, event: AuditEvent): void {
    const ids = this.recentIds.get(session) ?? new Set<string>();
    this.recentIds.set(session, ids);
    session.recent.push(event);
    ids.add(event.event_id);
    while (session.recent.length > this.recentSize) ids.delete(session.recent.shift()!.event_id);
  }

  markRevoked(tenant: string, sessionId: string, info: RevocationInfo): void {
    this.revocations.set(sessionKey(tenant, sessionId), info);
    const s = this.get(tenant, sessionId);
    if (s) {
      s.state = 'revoked';
      s.revoked = info;
      this.onStateChange(s);
    }
  }

  markReinstated(tenant: string, sessionId: string): void {
    this.revocations.delete(sessionKey(tenant, sessionId));
    const s = this.get(tenant, sessionId);
    if (s) {
      s.state = 'active';
      s.revoked = null;
      this.onStateChange(s);
    }
  }

  revocationOf(tenant: string, sessionId: string): RevocationInfo | null {
    return this.revocations.get(sessionKey(tenant, sessionId)) ?? null;
  }

  /** Drops sessions idle for longer than `idleMs`; returns how many. */
  expire(now: number = this.clock.now()): number {
    let dropped = 0;
    for (const [key, s] of this.sessions) {
      if (s.last_seen_ms > now - this.idleMs) break;
      this.sessions.delete(key);
      dropped++;
    }
    return dropped;
  }

  private evictOverflow(): void {
    while (this.sessions.size > this.maxSessions) {
      const oldest = this.sessions.keys().next().value;
      if (oldest === undefined) break;
      this.sessions.delete(oldest);
    }
  }

  private create(event: AuditEvent, key: string, now: number): SessionState {
    const revoked = this.revocations.get(key) ?? null;
    return {
      tenant: event.tenant,
      id: event.session_id,
      agent_id: event.agent_id,
      user_id: event.user_id,
      goal: '',
      scope_allow: [],
      scope_deny: [],
      environment: '',
      state: revoked ? 'revoked' : 'active',
      revoked,
      first_seen_ms: now,
      last_seen_ms: now,
      counts: { events: 0, intents: 0, executions: 0, destructive: 0 },
      recent: [],
      slots: new Map(),
    };
  }
}

/** Session declarations: first value wins; a `session`-phase event updates explicitly. */
function declare(s: SessionState, e: AuditEvent): void {
  const explicit = e.phase === 'session';
  if (e.goal !== '' && (explicit || s.goal === '')) s.goal = e.goal;
  if (e.scope_allow.length > 0 && (explicit || s.scope_allow.length === 0)) s.scope_allow = [...e.scope_allow];
  if (e.scope_deny.length > 0 && (explicit || s.scope_deny.length === 0)) s.scope_deny = [...e.scope_deny];
  if (e.environment !== '' && (explicit || s.environment === '')) s.environment = e.environment;
  if (s.agent_id === '' && e.agent_id !== '') s.agent_id = e.agent_id;
  if (s.user_id === '' && e.user_id !== '') s.user_id = e.user_id;
}

/**
 * The live sessions of this instance, in memory and bounded per tenant: a tenant holds at most
 * `maxSessionsPerTenant` live sessions (its own least recently seen go first), and all tenants
 * together at most `maxSessions` (past it, the tenant holding the most gives up its least
 * recently seen) — so one tenant's flood of new sessions evicts only that tenant's sessions.
 * Sessions idle longer than `idleMs` (by the injected clock) expire. `observe` creates or
 * updates a session from an event — declarations follow CONVENTIONS.md (first value wins; a
 * `session`-phase event may update explicitly), identity is filled when first known, counts and
 * last-seen advance — and `remember` appends the event's id to the session's bounded `recentIds` list
 * afterwards (detectors see the previous events there).
 *
 * Declarations and revocations are never lost while a session is live (parked-session.ts has the
 * design): a session pushed out of memory that declared something (or is revoked) is parked — a
 * compact record in a separately bounded, far larger per-tenant map — and restored, declarations
 * and counts, when it is seen again. Past a tenant's parked cap the record is spilled: handed to
 * `onSpill` (persisted) and its key remembered, so `needsReload` tells the engine to hold the
 * session's next events until `reload` has read it back through `loader`. A session whose state
 * cannot be kept or read back is `lost`: `custody` says so and hook verdicts deny.
 *
 * Revocations are kept apart from sessions, per tenant and bounded, keyed by (tenant, session),
 * so a revocation outlives the session's expiry and applies to a session not seen yet (revoked by
 * an operator first, or before a restart): a session created later starts revoked. A revocation
 * pushed out of that map is spilled like a parked record (its ClickHouse mirror holds it).
 * Evictions are counted per tenant (session-metrics.ts).
 */
import type { AuditEvent } from '../../model/audit-event.js';
import { sessionKey, type RevocationInfo } from '../../model/session.js';
import type { Clock } from '../../lib/clock.js';
import type { Metrics } from '../../lib/metrics.js';
import { PartitionedBoundedMap, type EvictionReason } from '../../lib/bounded.js';
import { parkedOf, sessionFromParked, worthParking, type Custody, type ParkedSession, type SessionLoader } from './parked-session.js';
import type { SessionDirectory, SessionFilter } from './session-directory.js';
import { sessionMetrics, type SessionMetrics, type StateLostReason } from './session-metrics.js';
import type { SessionState } from './session-state.js';

export interface SessionRegistryOptions {
  clock: Clock;
  /** Live sessions held at once, all tenants together (default 10 000). */
  maxSessions?: number;
  /** Live sessions one tenant may hold (default 5 000). */
  maxSessionsPerTenant?: number;
  /** A session not seen for this long is dropped (default 30 min). */
  idleMs?: number;
  /** Event ids kept in `recentIds` per session (default 200). */
  recentSize?: number;
  /** Revocations remembered, all tenants together (default 100 000). */
  maxRevocations?: number;
  /** Revocations remembered per tenant (default 20 000). */
  maxRevocationsPerTenant?: number;
  /** Parked records (declarations of evicted sessions, ~500 bytes each), all tenants together (default 100 000). */
  maxParked?: number;
  /** Parked records per tenant (default 25 000). */
  maxParkedPerTenant?: number;
  /** Eviction, reload and lost-state counters (none when absent). */
  metrics?: Metrics;
  /** Called when a session's revocation state changes (e.g. to persist the session row). */
  onStateChange?: (session: SessionState) => void;
  /** Called when a parked record leaves memory, to persist it before it is gone. */
  onSpill?: (parked: ParkedSession) => void;
  /** Reads a spilled session back (ClickHouse); without one a spilled session is lost. */
  loader?: SessionLoader;
}

export const SESSION_DEFAULTS = {
  maxSessions: 10_000,
  maxSessionsPerTenant: 5_000,
  idleMs: 30 * 60_000,
  recentSize: 200,
  maxRevocations: 100_000,
  maxRevocationsPerTenant: 20_000,
  maxParked: 100_000,
  maxParkedPerTenant: 25_000,
};

/** Spilled and lost keys are bare keys: this many times the parked caps. */
const KEY_CAP_FACTOR = 4;

interface LostMark {
  reason: StateLostReason;
  /** Last time the session was marked or seen (idle expiry). */
  atMs: number;
}

export class SessionRegistry implements SessionDirectory {
  private readonly clock: Clock;
  private readonly idleMs: number;
  private readonly recentSize: number;
  /** Live sessions; recency order per tenant and overall. */
  private readonly sessions: PartitionedBoundedMap<string, SessionState>;
  private readonly recentIds = new WeakMap<SessionState, Set<string>>();
  private readonly revocations: PartitionedBoundedMap<string, RevocationInfo>;
  private readonly parked: PartitionedBoundedMap<string, ParkedSession>;
  /** Keys of sessions whose state is in storage only, with their last-seen time. */
  private readonly spilled: PartitionedBoundedMap<string, number>;
  private readonly lost: PartitionedBoundedMap<string, LostMark>;
  private readonly loading = new Map<string, Promise<void>>();
  private readonly onStateChange: (session: SessionState) => void;
  private readonly onSpill: (parked: ParkedSession) => void;
  private readonly loader: SessionLoader | undefined;
  private readonly m: SessionMetrics;

  constructor(options: SessionRegistryOptions) {
    const o = { ...SESSION_DEFAULTS, ...definedOnly(options) };
    this.clock = options.clock;
    this.idleMs = o.idleMs;
    this.recentSize = o.recentSize;
    this.onStateChange = options.onStateChange ?? (() => undefined);
    this.onSpill = options.onSpill ?? (() => undefined);
    this.loader = options.loader;
    this.m = sessionMetrics(options.metrics);
    this.sessions = new PartitionedBoundedMap({
      perPartition: o.maxSessionsPerTenant,
      total: o.maxSessions,
      onEvict: (key, s, reason) => this.evicted(key, s, reason),
    });
    this.revocations = new PartitionedBoundedMap({
      perPartition: o.maxRevocationsPerTenant,
      total: o.maxRevocations,
      onEvict: (key, _info, reason, tenant) => {
        if (reason === 'idle' || this.sessions.has(key) || this.parked.has(key)) return; // the session holds its revocation
        this.spill(tenant, key, this.clock.now());
        this.m.evicted(tenant, 'revocation_spilled');
      },
    });
    this.parked = new PartitionedBoundedMap({
      perPartition: o.maxParkedPerTenant,
      total: o.maxParked,
      onEvict: (key, p, reason) => {
        if (reason === 'idle') return;
        this.onSpill(p);
        this.spill(p.tenant, key, p.last_seen_ms);
        this.m.evicted(p.tenant, 'declarations_spilled');
      },
    });
    const keyCaps = { perPartition: o.maxParkedPerTenant * KEY_CAP_FACTOR, total: o.maxParked * KEY_CAP_FACTOR };
    this.spilled = new PartitionedBoundedMap(keyCaps);
    this.lost = new PartitionedBoundedMap(keyCaps);
  }

  /** Live sessions held. */
  get size(): number {
    return this.sessions.size;
  }

  /** How many records each tier holds (live, parked, spilled, lost, revocations). */
  stats(): { live: number; parked: number; spilled: number; lost: number; revocations: number } {
    return { live: this.sessions.size, parked: this.parked.size, spilled: this.spilled.size, lost: this.lost.size, revocations: this.revocations.size };
  }

  /** Live sessions one tenant holds. */
  sizeOf(tenant: string): number {
    return this.sessions.sizeOf(tenant);
  }

  get(tenant: string, sessionId: string): SessionState | undefined {
    return this.sessions.get(sessionKey(tenant, sessionId));
  }

  list(filter: SessionFilter): SessionState[] {
    const out: SessionState[] = [];
    const all = [...this.sessions.partitionValues(filter.tenant)];
    for (let i = all.length - 1; i >= 0 && out.length < filter.limit; i--) {
      const s = all[i]!;
      if (filter.state && s.state !== filter.state) continue;
      if (filter.agent && s.agent_id !== filter.agent) continue;
      if (filter.sinceMs !== undefined && s.last_seen_ms < filter.sinceMs) continue;
      out.push(s);
    }
    return out;
  }

  /** Where this session's state is (see `Custody`). */
  custody(tenant: string, sessionId: string): Custody {
    const key = sessionKey(tenant, sessionId);
    if (this.lost.has(key)) return 'lost';
    if (this.sessions.has(key)) return 'live';
    if (this.loading.has(key)) return 'loading';
    if (this.spilled.has(key)) return 'spilled';
    if (this.parked.has(key)) return 'parked';
    return 'unknown';
  }

  /** True when this session's state is in storage only (or being read back) and not given up as lost: hold its events. */
  needsReload(tenant: string, sessionId: string): boolean {
    const key = sessionKey(tenant, sessionId);
    return (this.spilled.has(key) || this.loading.has(key)) && !this.lost.has(key);
  }

  /**
   * Reads a spilled session back through the loader into the parked map (its revocation into
   * the revocation map); resolves when done, never rejects. Nothing stored, a failing loader or
   * no loader marks the session lost. Concurrent calls share one read.
   */
  reload(tenant: string, sessionId: string): Promise<void> {
    const key = sessionKey(tenant, sessionId);
    const running = this.loading.get(key);
    if (running) return running;
    if (!this.spilled.has(key)) return Promise.resolve();
    const loader = this.loader;
    if (!loader) {
      this.spilled.delete(key);
      this.markLost(tenant, sessionId, 'no_storage');
      return Promise.resolve();
    }
    const done = (async () => {
      try {
        const found = await loader(tenant, sessionId);
        this.spilled.delete(key);
        if (!found.parked && !found.revoked) {
          this.m.reloaded('not_found');
          this.markLost(tenant, sessionId, 'not_found');
          return;
        }
        this.m.reloaded('loaded');
        if (found.revoked && !this.revocations.has(key)) this.revocations.set(tenant, key, found.revoked);
        if (found.parked && !this.sessions.has(key)) this.parked.set(tenant, key, { ...found.parked, revoked: this.revocations.get(key) ?? null });
      } catch {
        this.spilled.delete(key);
        this.m.reloaded('failed');
        this.markLost(tenant, sessionId, 'load_failed');
      } finally {
        this.loading.delete(key);
      }
    })();
    this.loading.set(key, done);
    return done;
  }

  /** Records that Warden knew this session's state but no longer holds it: verdicts deny. */
  markLost(tenant: string, sessionId: string, reason: StateLostReason): void {
    this.lost.set(tenant, sessionKey(tenant, sessionId), { reason, atMs: this.clock.now() });
    this.m.lost(tenant, reason);
  }

  /** Why this session's state is lost, or null. */
  lostReason(tenant: string, sessionId: string): StateLostReason | null {
    return this.lost.get(sessionKey(tenant, sessionId))?.reason ?? null;
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
    if (s) this.sessions.touch(key);
    else {
      s = this.revive(event, key, now);
      this.sessions.set(event.tenant, key, s);
    }
    const lost = this.lost.get(key);
    if (lost) this.lost.set(event.tenant, key, { reason: lost.reason, atMs: now });
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
    session.recentIds.push(event.event_id);
    ids.add(event.event_id);
    while (session.recentIds.length > this.recentSize) ids.delete(session.recentIds.shift()!);
  }

  markRevoked(tenant: string, sessionId: string, info: RevocationInfo): void {
    const key = sessionKey(tenant, sessionId);
    this.revocations.set(tenant, key, info);
    const parked = this.parked.get(key);
    if (parked) parked.revoked = info;
    const s = this.sessions.get(key);
    if (s) {
      s.state = 'revoked';
      s.revoked = info;
      this.onStateChange(s);
    }
  }

  /** Lifts a revocation; an operator's reinstatement also clears a lost-state mark. */
  markReinstated(tenant: string, sessionId: string): void {
    const key = sessionKey(tenant, sessionId);
    this.revocations.delete(key);
    this.lost.delete(key);
    const parked = this.parked.get(key);
    if (parked) parked.revoked = null;
    const s = this.sessions.get(key);
    if (s) {
      s.state = 'active';
      s.revoked = null;
      this.onStateChange(s);
    }
  }

  revocationOf(tenant: string, sessionId: string): RevocationInfo | null {
    return this.revocations.get(sessionKey(tenant, sessionId)) ?? null;
  }

  /** Drops sessions (and parked, spilled and lost marks) idle for longer than `idleMs`; returns how many sessions. */
  expire(now: number = this.clock.now()): number {
    const cutoff = now - this.idleMs;
    const dropped = this.sessions.evictIdle((s) => s.last_seen_ms <= cutoff);
    this.parked.evictIdle((p) => p.last_seen_ms <= cutoff);
    this.spilled.evictIdle((lastSeen) => lastSeen <= cutoff);
    this.lost.evictIdle((mark) => mark.atMs <= cutoff);
    return dropped;
  }

  private evicted(key: string, s: SessionState, reason: EvictionReason): void {
    if (reason === 'idle') return;
    this.m.evicted(s.tenant, reason === 'global_cap' ? 'global_cap' : 'tenant_cap');
    if (worthParking(s)) this.parked.set(s.tenant, key, parkedOf(s));
  }

  private spill(tenant: string, key: string, lastSeenMs: number): void {
    this.spilled.set(tenant, key, lastSeenMs);
  }

  /** The session for a key not live: restored from its parked record, else new. */
  private revive(event: AuditEvent, key: string, now: number): SessionState {
    const revoked = this.revocations.get(key) ?? null;
    const parked = this.parked.get(key);
    if (parked) {
      this.parked.delete(key);
      return sessionFromParked(parked, revoked ?? parked.revoked);
    }
    // Judged without its spilled state (replayed, or held too long): fail closed.
    if (this.spilled.delete(key) && !this.lost.has(key)) this.markLost(event.tenant, event.session_id, 'spilled_replay');
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
      recentIds: [],
      slots: new Map(),
    };
  }
}

/** The options that were given (an explicit `undefined` does not override a default). */
function definedOnly(options: SessionRegistryOptions): Partial<typeof SESSION_DEFAULTS> {
  const out: Partial<typeof SESSION_DEFAULTS> = {};
  for (const k of Object.keys(SESSION_DEFAULTS) as (keyof typeof SESSION_DEFAULTS)[]) {
    const v = options[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
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

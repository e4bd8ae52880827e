/**
 * The gate: one intended action (an AuditEvent in the `intent` phase, already normalized,
 * classified and redacted like every event) decided before it runs. The detection engine
 * evaluates it synchronously as the session's next action — the same detectors and state as the
 * stream, so the intent counts as the session's receipt and its findings go to the kill switch as
 * any finding does (a deny at `revoke_at` also revokes) — then `decideIntent` answers allow, ask
 * or deny. Every decision is stored (`gate_decisions`) with its reason and latency, counted, and
 * remembered (bounded) so that the same intent asked again (a retried hook) gets the same answer,
 * and so an operator can allow a denied call once.
 *
 * A session whose state Warden knew but holds in storage only (evicted from memory) is read back
 * before its intent is judged (bounded wait); a session whose state is lost — or still not back —
 * is denied: the gate fails closed rather than judge without the session's scope and revocation.
 *
 * Allow once: the operator names a decision; the next intent of that session with the same tool
 * and command (or arguments) is allowed, its findings stored but not acted on. A grant lasts
 * `grantLifetimeMs` (default one hour) and is used once; the same intent retried after it was
 * used (its event id) is allowed again, like any retried intent gets its first answer.
 *
 * What must outlive this instance (gate-memory.ts) goes to `memory` when one is passed in:
 * grants (`grant` answers once the grant is stored), their use (stored, after checking no other
 * instance used the grant, before the call is answered — if that cannot be stored the call is
 * denied, not remembered, and the grant kept for the retry), and stopped calls (in the
 * background). `restore` merges what the store read back when this instance takes sessions
 * over (a rebalance, a restart), so the next owner answers as the last one would have.
 */
import { createHash, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { AuditEvent } from '../../model/audit-event.js';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';
import type { Metrics } from '../../lib/metrics.js';
import { nsToRfc3339 } from '../../lib/rfc3339.js';
import { BoundedMap, BoundedSet } from '../../lib/bounded.js';
import type { DetectionEngine } from '../../detect/engine/detection-engine.js';
import type { Finding } from '../../model/finding.js';
import { decideIntent, type GateAnswer, type GateVerdict } from './decide-intent.js';
import { gateMetrics, type GateMetrics } from './gate-metrics.js';
import { floorExemption } from './declared-scope.js';
import { DEFAULT_GATE } from '../../detect/policy/parse-policy.js';
import { NO_EXPLANATION } from '../../detect/explain/explain.js';
import { errorCode } from '../../lib/errors.js';
import type { GateMemorySnapshot, GateMemoryStore, GateMemoryTarget, Grant } from './gate-memory.js';

export interface GateDecision {
  decision_id: string;
  event_id: string;
  tenant: string;
  session_id: string;
  agent_id: string;
  tool: string;
  tool_call_id: string;
  command: string;
  targets: string[];
  action_class: string;
  decision: GateAnswer;
  would_be: GateAnswer;
  mode: 'enforce' | 'monitor';
  reason: string;
  remedy: string;
  detector: string;
  severity: string;
  finding_id: string;
  finding_ids: string[];
  /** The rule behind a deny or an ask, its target, why it matters, what would have been fine (detect/explain; '' when none). */
  rule: string;
  target: string;
  why: string;
  instead: string;
  latency_ms: number;
  /** RFC 3339 with nanoseconds: the intent's time. */
  at: string;
}

export interface DecisionSink {
  add(decision: GateDecision): void;
}

export interface GateDeps {
  engine: DetectionEngine;
  decisions?: DecisionSink;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  /** Decisions remembered for retries and allow-once (default 50 000). */
  remember?: number;
  /** How long an intent may wait for its session's state to be read back (default 2 000 ms). */
  reloadWaitMs?: number;
  /** Keeps grants and stopped calls beyond this instance (distributed mode, restarts). */
  memory?: GateMemoryStore;
  /** How long an operator's allow-once stands unused (default one hour). */
  grantLifetimeMs?: number;
}

export const DEFAULT_GRANT_LIFETIME_MS = 60 * 60_000;

/** allow < ask < deny: how firmly an answer stops a call. */
const ANSWER_RANK: Readonly<Record<GateAnswer, number>> = { allow: 0, ask: 1, deny: 2 };

export interface AllowOnce {
  by: string;
  reason: string;
}

export class GateError extends Error {
  constructor(
    readonly code: 'GATE_NOT_AN_INTENT' | 'GATE_DECISION_UNKNOWN',
    message: string,
  ) {
    super(message);
  }
}

function fingerprint(e: Pick<AuditEvent, 'tenant' | 'session_id' | 'tool' | 'command' | 'arguments'>): string {
  return createHash('sha256').update(`${e.tenant}\u0000${e.session_id}\u0000${e.tool}\u0000${e.command || e.arguments}`).digest('hex');
}

export function decisionIdOf(eventId: string): string {
  return `gd_${createHash('sha256').update(`gate\n${eventId}`).digest('hex').slice(0, 24)}`;
}

/** A decision made or restored here, with the key of the call it decided (for allow-once). */
interface Known {
  decision: GateDecision;
  key: string;
}

export class Gate implements GateMemoryTarget {
  private readonly deps: GateDeps;
  private readonly m: GateMetrics;
  private readonly byEvent: BoundedMap<string, GateDecision>;
  private readonly byId: BoundedMap<string, Known>;
  /** Unused grants, by the key of the call they let through. */
  private readonly allowances = new BoundedMap<string, Grant>(10_000);
  /** Used grants, by the intent (event id) that used them: that intent retried is allowed again. */
  private readonly usedBy = new BoundedMap<string, Grant>(10_000);
  /** Ids of the grants used, here or (as restored) elsewhere: never restored as unused. */
  private readonly used = new BoundedSet<string>(10_000);
  /** Calls denied or asked about, by (session, tool, command): the same call again is answered alike. */
  private readonly stopped = new BoundedMap<string, GateDecision>(50_000);

  constructor(deps: GateDeps) {
    this.deps = deps;
    this.m = gateMetrics(deps.metrics);
    this.byEvent = new BoundedMap(deps.remember ?? 50_000);
    this.byId = new BoundedMap(deps.remember ?? 50_000);
  }

  /**
   * Decides one intended action. `canAsk`: whether the agent can stage a call for a person
   * (otherwise ask becomes deny, saying so).
   */
  async decide(event: AuditEvent, canAsk: boolean): Promise<GateDecision> {
    if (event.phase !== 'intent') throw new GateError('GATE_NOT_AN_INTENT', `the gate decides intended actions; this event is a ${event.phase} event`);
    const started = performance.now();
    const known = this.byEvent.get(event.event_id);
    if (known) return known;
    const registry = this.deps.engine.registry;
    if (registry.needsReload(event.tenant, event.session_id)) await this.reload(event);
    const custody = registry.custody(event.tenant, event.session_id);
    if (custody === 'lost' || registry.needsReload(event.tenant, event.session_id)) {
      const why =
        custody === 'lost'
          ? "Warden no longer holds this session's state (its declared scope, goal or revocation were evicted from memory and could not be read back), so it cannot judge this call"
          : "Warden is still reading this session's state (declared scope, goal, revocation) back from storage; retry in a moment";
      return this.record(event, started, [], { decision: 'deny', would_be: 'deny', finding: null, reason: why, remedy: `an operator can reinstate the session: warden reinstate ${JSON.stringify(event.session_id)} --reason "…"` }, 'enforce', 'state_lost');
    }
    const grant = await this.claimGrant(event);
    if (grant === 'unrecorded') {
      const verdict: GateVerdict = {
        decision: 'deny',
        would_be: 'deny',
        finding: null,
        reason: "an operator allowed this call once, but Warden could not record that the allowance is being used (storage unavailable), so it did not use it; retry in a moment",
        remedy: 'retry the call; the allowance still stands',
      };
      return this.record(event, started, [], verdict, 'enforce', 'gate_memory', '', false);
    }
    return this.judge(event, canAsk, started, grant);
  }

  /**
   * The operator's grant this intent may use, taken so no other call can: the grant it already
   * used (a retry of that intent), or an unused, unexpired one for the same call while the
   * session is not revoked. With a memory store, a grant another instance used is dropped, and
   * the use is stored before the call is answered; 'unrecorded' when that failed (the grant is
   * kept for the retry).
   */
  private async claimGrant(event: AuditEvent): Promise<Grant | undefined | 'unrecorded'> {
    const used = this.usedBy.get(event.event_id);
    if (used && used.tenant === event.tenant && used.session_id === event.session_id) return used;
    const key = fingerprint(event);
    const grant = this.allowances.get(key);
    if (!grant) return undefined;
    const now = this.deps.clock.now();
    if (grant.expires_at_ms <= now) {
      this.allowances.delete(key);
      return undefined;
    }
    if (this.deps.engine.registry.revocationOf(event.tenant, event.session_id) !== null) return undefined;
    this.allowances.delete(key);
    const use: Grant = { ...grant, consumed_event: event.event_id, consumed_at_ms: now };
    const { memory } = this.deps;
    if (memory) {
      try {
        const elsewhere = await memory.consumedBy(grant);
        if (elsewhere !== null && elsewhere !== event.event_id) {
          this.deps.logger.info({ decision_id: grant.decision_id, grant_id: grant.grant_id, tenant: grant.tenant, session_id: grant.session_id }, 'gate: allow-once already used on another instance');
          return undefined;
        }
        await memory.consume(use);
      } catch (err) {
        if (!this.allowances.has(key)) this.allowances.set(key, grant);
        this.deps.metrics.errors.inc({ stage: 'gate_memory', code: errorCode(err) });
        this.deps.logger.warn({ code: errorCode(err), err: String(err), grant_id: grant.grant_id }, 'gate: the use of an allow-once could not be stored; the call is denied and the grant kept');
        return 'unrecorded';
      }
    }
    this.usedBy.set(event.event_id, use);
    this.used.add(use.grant_id);
    return use;
  }

  /** Waits (bounded) for the session's state to be read back from storage. */
  private async reload(event: AuditEvent): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.deps.reloadWaitMs ?? 2_000)));
    try {
      await Promise.race([this.deps.engine.registry.reload(event.tenant, event.session_id).catch(() => undefined), limit]);
    } finally {
      clearTimeout(timer);
    }
  }

  private judge(event: AuditEvent, canAsk: boolean, started: number, grant: Grant | undefined): GateDecision {
    const { engine } = this.deps;
    const registry = engine.registry;
    const revokedBefore = registry.revocationOf(event.tenant, event.session_id);
    const key = fingerprint(event);
    const allowance = revokedBefore === null ? grant : undefined;
    const findings = engine.evaluate(event, { act: allowance === undefined }) ?? [];
    const session = registry.get(event.tenant, event.session_id);
    const policy = session ? engine.policyFor(session) : { mode: 'enforce' as const, gate: DEFAULT_GATE };
    const withinDeclaredScope = session !== undefined && floorExemption(session, event) !== null;
    let verdict: GateVerdict = allowance
      ? { decision: 'allow', would_be: 'allow', finding: null, reason: `allowed once by ${allowance.by} (${allowance.decision_id}): ${allowance.reason}`, remedy: '' }
      : decideIntent({ event, findings, revokedBefore, policy, canAsk, withinDeclaredScope });
    // A detector reports a target once per session; the call it stopped, asked again, is stopped
    // again, at least as firmly (the command's own rating alone may only ask about a repeated deny).
    const before = allowance ? undefined : this.stopped.get(key);
    if (before && ANSWER_RANK[verdict.would_be] < ANSWER_RANK[before.would_be]) {
      verdict = decideIntent({ event, findings: [], revokedBefore: null, policy, canAsk, withinDeclaredScope });
      // The earlier decision's explanation stands (one read back from before it was stored has none).
      verdict = { ...verdict, decision: before.decision, would_be: before.would_be, reason: `the same call was ${before.decision === 'ask' ? 'staged for a person' : 'denied'} earlier in this session (${before.decision_id}): ${before.reason}`, remedy: before.remedy, explained: { rule: before.rule ?? '', target: before.target ?? '', why: before.why ?? '', instead: before.instead ?? '' } };
    }
    const decision = this.record(event, started, findings, verdict, policy.mode, revokedBefore ? 'revocation' : before ? before.detector : '', revokedBefore?.finding_id ?? before?.finding_id ?? '');
    if (decision.would_be !== 'allow' && !revokedBefore) {
      this.stopped.set(key, decision);
      this.deps.memory?.addStopped({ call_key: key, decision });
    }
    return decision;
  }

  /** `remember`: false for an answer a retry must not repeat (a passing storage failure). */
  private record(event: AuditEvent, started: number, findings: readonly Finding[], verdict: GateVerdict, mode: GateDecision['mode'], cause: string, causeFinding = '', remember = true): GateDecision {
    const top = verdict.finding;
    const decision: GateDecision = {
      decision_id: decisionIdOf(event.event_id),
      event_id: event.event_id,
      tenant: event.tenant,
      session_id: event.session_id,
      agent_id: event.agent_id,
      tool: event.tool,
      tool_call_id: event.tool_call_id,
      command: event.command,
      targets: event.targets,
      action_class: event.action_class,
      decision: verdict.decision,
      would_be: verdict.would_be,
      mode,
      reason: verdict.reason,
      remedy: verdict.remedy,
      detector: top?.detector ?? cause,
      severity: top?.severity ?? (cause ? 'critical' : 'none'),
      finding_id: top?.id ?? causeFinding,
      finding_ids: findings.map((f) => f.id),
      ...(verdict.explained ?? NO_EXPLANATION),
      latency_ms: performance.now() - started,
      at: nsToRfc3339(event.time_ns),
    };
    if (remember) this.byEvent.set(event.event_id, decision);
    this.byId.set(decision.decision_id, { decision, key: fingerprint(event) });
    this.m.decisions.inc({ decision: decision.decision, would_be: decision.would_be });
    this.m.latency.observe(decision.latency_ms / 1000);
    this.deps.decisions?.add(decision);
    if (decision.decision !== 'allow' || decision.would_be !== 'allow') {
      this.deps.logger.info({ decision_id: decision.decision_id, tenant: decision.tenant, session_id: decision.session_id, decision: decision.decision, would_be: decision.would_be, detector: decision.detector }, 'gate decision');
    }
    return decision;
  }

  /** A decision this instance made recently, or restored (by id), or undefined. */
  decisionOf(tenant: string, decisionId: string): GateDecision | undefined {
    const known = this.byId.get(decisionId);
    return known && known.decision.tenant === tenant ? known.decision : undefined;
  }

  /**
   * Lets the next intent like the decided one (same session, tool and command or arguments)
   * through, once, within the grant's lifetime. Resolves once the grant is stored (with a
   * memory store); rejects, nothing allowed, when it could not be.
   */
  async grant(tenant: string, decisionId: string, grant: AllowOnce): Promise<GateDecision> {
    const { decision, grant: g } = this.newGrant(tenant, decisionId, grant);
    if (this.deps.memory) {
      try {
        await this.deps.memory.saveGrant(g);
      } catch (err) {
        this.deps.metrics.errors.inc({ stage: 'gate_memory', code: errorCode(err) });
        throw err;
      }
    }
    return this.keepGrant(decision, g);
  }

  private newGrant(tenant: string, decisionId: string, grant: AllowOnce): { decision: GateDecision; grant: Grant } {
    const known = this.byId.get(decisionId);
    if (!known || known.decision.tenant !== tenant) throw new GateError('GATE_DECISION_UNKNOWN', `no recent gate decision ${JSON.stringify(decisionId)} for this tenant`);
    const d = known.decision;
    const now = this.deps.clock.now();
    return {
      decision: d,
      grant: {
        grant_id: `gg_${randomUUID()}`,
        tenant: d.tenant,
        session_id: d.session_id,
        call_key: known.key,
        decision_id: decisionId,
        by: grant.by,
        reason: grant.reason,
        granted_at_ms: now,
        expires_at_ms: now + (this.deps.grantLifetimeMs ?? DEFAULT_GRANT_LIFETIME_MS),
        consumed_event: '',
        consumed_at_ms: 0,
      },
    };
  }

  private keepGrant(d: GateDecision, g: Grant): GateDecision {
    this.allowances.set(g.call_key, g);
    this.m.allowOnce.inc();
    this.deps.logger.info({ decision_id: g.decision_id, tenant: g.tenant, session_id: g.session_id, by: g.by }, 'gate: call allowed once by an operator');
    return d;
  }

  /**
   * Merges what the store read back (sessions taken over): a grant used anywhere is used here
   * too (dropped; the intent that used it is allowed again), an unused unexpired one stands
   * unless a newer grant for the same call does; stopped calls are remembered (for retries and
   * allow-once) where this instance holds nothing newer for the same call.
   */
  restore(snapshot: GateMemorySnapshot): { grants: number; stopped: number } {
    const now = this.deps.clock.now();
    let grants = 0;
    for (const g of snapshot.grants) {
      if (g.consumed_event !== '') {
        const held = this.allowances.get(g.call_key);
        if (held?.grant_id === g.grant_id) this.allowances.delete(g.call_key);
        if (!this.usedBy.has(g.consumed_event)) this.usedBy.set(g.consumed_event, g);
        this.used.add(g.grant_id);
        grants++;
        continue;
      }
      if (g.expires_at_ms <= now || this.used.has(g.grant_id)) continue;
      const held = this.allowances.get(g.call_key);
      if (held && held.granted_at_ms >= g.granted_at_ms) continue;
      this.allowances.set(g.call_key, g);
      grants++;
    }
    let stopped = 0;
    for (const { call_key, decision } of snapshot.stopped) {
      if (!this.byEvent.has(decision.event_id)) this.byEvent.set(decision.event_id, decision);
      if (!this.byId.has(decision.decision_id)) this.byId.set(decision.decision_id, { decision, key: call_key });
      const held = this.stopped.get(call_key);
      if (!held || held.at <= decision.at) this.stopped.set(call_key, decision);
      stopped++;
    }
    return { grants, stopped };
  }
}

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
 * and command (or arguments) is allowed, its findings stored but not acted on.
 */
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { AuditEvent } from '../../model/audit-event.js';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';
import type { Metrics } from '../../lib/metrics.js';
import { nsToRfc3339 } from '../../lib/rfc3339.js';
import { BoundedMap } from '../../lib/bounded.js';
import type { DetectionEngine } from '../../detect/engine/detection-engine.js';
import type { Finding } from '../../model/finding.js';
import { decideIntent, type GateAnswer, type GateVerdict } from './decide-intent.js';
import { gateMetrics, type GateMetrics } from './gate-metrics.js';
import { floorExemption } from './declared-scope.js';
import { DEFAULT_GATE } from '../../detect/policy/parse-policy.js';
import { NO_EXPLANATION } from '../../detect/explain/explain.js';

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
}

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

export class Gate {
  private readonly deps: GateDeps;
  private readonly m: GateMetrics;
  private readonly byEvent: BoundedMap<string, GateDecision>;
  private readonly byId: BoundedMap<string, GateDecision>;
  private readonly allowances = new BoundedMap<string, AllowOnce & { decision_id: string }>(10_000);
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
    return this.judge(event, canAsk, started);
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

  private judge(event: AuditEvent, canAsk: boolean, started: number): GateDecision {
    const { engine } = this.deps;
    const registry = engine.registry;
    const revokedBefore = registry.revocationOf(event.tenant, event.session_id);
    const key = fingerprint(event);
    const allowance = revokedBefore === null ? this.allowances.get(key) : undefined;
    if (allowance) this.allowances.delete(key);
    const findings = engine.evaluate(event, { act: allowance === undefined }) ?? [];
    const session = registry.get(event.tenant, event.session_id);
    const policy = session ? engine.policyFor(session) : { mode: 'enforce' as const, gate: DEFAULT_GATE };
    const withinDeclaredScope = session !== undefined && floorExemption(session, event) !== null;
    let verdict: GateVerdict = allowance
      ? { decision: 'allow', would_be: 'allow', finding: null, reason: `allowed once by ${allowance.by} (${allowance.decision_id}): ${allowance.reason}`, remedy: '' }
      : decideIntent({ event, findings, revokedBefore, policy, canAsk, withinDeclaredScope });
    // A detector reports a target once per session; the call it stopped, asked again, is stopped again.
    const before = allowance ? undefined : this.stopped.get(key);
    if (before && verdict.would_be === 'allow') {
      verdict = decideIntent({ event, findings: [], revokedBefore: null, policy, canAsk, withinDeclaredScope });
      verdict = { ...verdict, decision: before.decision, would_be: before.would_be, reason: `the same call was ${before.decision === 'ask' ? 'staged for a person' : 'denied'} earlier in this session (${before.decision_id}): ${before.reason}`, remedy: before.remedy };
    }
    const decision = this.record(event, started, findings, verdict, policy.mode, revokedBefore ? 'revocation' : before ? before.detector : '', revokedBefore?.finding_id ?? before?.finding_id ?? '');
    if (decision.would_be !== 'allow' && !revokedBefore) this.stopped.set(key, decision);
    return decision;
  }

  private record(event: AuditEvent, started: number, findings: readonly Finding[], verdict: GateVerdict, mode: GateDecision['mode'], cause: string, causeFinding = ''): GateDecision {
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
    this.byEvent.set(event.event_id, decision);
    this.byId.set(decision.decision_id, decision);
    this.m.decisions.inc({ decision: decision.decision, would_be: decision.would_be });
    this.m.latency.observe(decision.latency_ms / 1000);
    this.deps.decisions?.add(decision);
    if (decision.decision !== 'allow' || decision.would_be !== 'allow') {
      this.deps.logger.info({ decision_id: decision.decision_id, tenant: decision.tenant, session_id: decision.session_id, decision: decision.decision, would_be: decision.would_be, detector: decision.detector }, 'gate decision');
    }
    return decision;
  }

  /** A decision this instance made recently (by id), or undefined. */
  decisionOf(tenant: string, decisionId: string): GateDecision | undefined {
    const d = this.byId.get(decisionId);
    return d && d.tenant === tenant ? d : undefined;
  }

  /** Lets the next intent like the decided one (same session, tool and command) through, once. */
  allowOnce(tenant: string, decisionId: string, grant: AllowOnce): GateDecision {
    const d = this.decisionOf(tenant, decisionId);
    if (!d) throw new GateError('GATE_DECISION_UNKNOWN', `no recent gate decision ${JSON.stringify(decisionId)} for this tenant`);
    const event = { tenant: d.tenant, session_id: d.session_id, tool: d.tool, command: d.command, arguments: '' };
    // Decisions keep the command only; a tool call without one is matched by its tool alone.
    this.allowances.set(fingerprint(event), { ...grant, decision_id: decisionId });
    this.m.allowOnce.inc();
    this.deps.logger.info({ decision_id: decisionId, tenant, session_id: d.session_id, by: grant.by }, 'gate: call allowed once by an operator');
    return d;
  }
}

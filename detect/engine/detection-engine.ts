/**
 * The detection stage: runs every enabled detector over each session's events, in order, on the
 * live stream (an EventStage observer of the batch processor: it never waits on ClickHouse).
 * For each event: skip it if the session already saw this event id (redelivery); update the
 * session (declarations, counts); run each detector with the session's resolved config — a
 * detector that throws is counted and logged, the others and ingestion carry on; turn drafts
 * into Findings with deterministic ids; drop ids already emitted (a bounded set); hand each new
 * finding to the finding store and to `onFinding` (the kill switch). Finally the event's id joins
 * the session's recent ids (how a redelivered copy is known); detectors keep what they need of
 * earlier events in their own slots.
 *
 * One intended action, judged once: an intent that names its tool call has an id derived from
 * the call (normalize/event-id.ts), so the same call's intent arriving again — through the gate
 * and the agent's telemetry, or a hook installed twice — is a duplicate, whether or not it is
 * still among the session's recent events (a bounded map of such intents remembers, per id, the
 * findings it produced). `evaluate` answers a duplicate with those findings, so the gate decides
 * an intent the stream judged first as the stream judged it. One exception: when the copy judged
 * first carried no action (no command, no arguments: a bare receipt such as Claude Code's
 * `tool_decision`) and this one does, this one is judged — detectors count actions by call id,
 * so it is still counted once — rather than let an unseen command through unjudged.
 *
 * `onFinding` is called synchronously, in event order; what it does before its first `await`
 * (marking the session revoked) takes effect before the next event is observed. Its promise is
 * not awaited by `consume`: it is tracked, its failure logged, and `drain()` waits for all.
 *
 * A new goal_deviation finding whose score is borderline, for a session whose resolved config
 * names a judge (`judge.url`), is also sent to the external judge once emitted
 * (second-opinion.ts): bounded, never awaited by `consume`. A confident "deviates" comes back
 * as a follow-up finding through the same path; `drain()` waits for those calls too.
 *
 * Time. Detectors read the time from the engine's clock: an event of the stream is judged now,
 * when it arrives, whatever time its sender wrote on it. One exception: an event that happened
 * before this instance last took its sessions over (`tookOver`: a start, a Kafka rebalance,
 * each rebuilding state from storage) and reaches it only afterwards — redelivered by Kafka or
 * the write-ahead log, because its last owner died before storing it — is judged at its own
 * time (never later than now), as that owner would have judged it. Judged now, a call made a
 * minute before the takeover would count as just made, and with the session's next action
 * make a burst that never happened. The gate's intent (`evaluate`) is judged now.
 *
 * `replay` runs the same path silently — state rebuilt, findings remembered for dedupe but
 * neither stored, sent nor judged — with detectors reading time from the events themselves; it
 * is how state is rebuilt from ClickHouse after a restart or a rebalance. Replay skips events of
 * sessions whose state is spilled to storage (their next live event reloads it).
 *
 * An event of a session whose state was spilled to storage (session-registry.ts) is not judged
 * without it: the engine holds that session's events, in order, asks the registry to reload the
 * session, and judges the held events once it is back (or marked lost). The hold is bounded:
 * at most `maxHeldSessions` sessions and `maxHeldEvents` events per session; past either, the
 * session is marked lost (its verdicts deny) and its events are judged at once rather than
 * dropped. `drain()` waits for reloads too.
 */
import { performance } from 'node:perf_hooks';
import type { AuditEvent } from '../../model/audit-event.js';
import type { EventStage } from '../../model/event-stage.js';
import type { Clock } from '../../lib/clock.js';
import { errorCode } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { Metrics } from '../../lib/metrics.js';
import { BoundedMap, BoundedSet } from '../../lib/bounded.js';
import type { Detector, DetectorContext } from '../detector.js';
import type { DetectorName, Finding } from '../../model/finding.js';
import { resolve } from '../policy/resolve-policy.js';
import type { Policy, ResolvedPolicy } from '../policy/policy-types.js';
import { nsToMs } from '../../lib/rfc3339.js';
import type { SessionRegistry } from '../session/session-registry.js';
import { sessionKey } from '../../model/session.js';
import type { SessionState } from '../session/session-state.js';
import { engineMetrics, type EngineMetrics } from './engine-metrics.js';
import { toFinding } from './finding-id.js';
import { SecondOpinions } from './second-opinion.js';

export type FindingHandler = (finding: Finding, session: SessionState, policy: ResolvedPolicy) => void | Promise<void>;

export interface FindingSink {
  add(finding: Finding): void;
}

export interface SessionSink {
  touch(session: SessionState): void;
}

export interface DetectionEngineOptions {
  registry: SessionRegistry;
  policy: Policy;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  onFinding?: FindingHandler;
  findings?: FindingSink;
  sessions?: SessionSink;
  /** Finding ids remembered for dedupe (default 100 000). */
  maxRememberedFindings?: number;
  /** The external judge's HTTP client and concurrency (where it is configured, per policy). */
  judge?: JudgeOptions;
  /** Sessions whose events may wait for a reload at once (default 1 000). */
  maxHeldSessions?: number;
  /** Events one session may have waiting for its reload (default 1 000). */
  maxHeldEvents?: number;
  /** Intents keyed by their tool call remembered as judged, with their findings (default 50 000). */
  maxRememberedIntents?: number;
}

interface JudgedIntent {
  findings: Finding[];
  /** It carried a command or arguments. */
  action: boolean;
}

/** An intent whose id is its tool call's (normalize/event-id.ts): other records of the call share it. */
function keyedByCall(event: AuditEvent): boolean {
  return event.phase === 'intent' && event.tool_call_id !== '';
}

function carriesAction(event: AuditEvent): boolean {
  return event.command !== '' || event.arguments !== '';
}

export interface JudgeOptions {
  /** HTTP client (the platform `fetch` by default). */
  fetch?: typeof fetch;
  /** Judge calls running at once; more are dropped and counted (default 4). */
  maxInFlight?: number;
}

/**
 * Time for the stream's events: now, or — for an event from before the last takeover — the
 * event's own time, never later than now (`at` is set before each event is judged).
 */
class StreamClock implements Clock {
  private eventMs: number | undefined;
  constructor(private readonly live: Clock) {}
  at(eventMs: number | undefined): void {
    this.eventMs = eventMs;
  }
  now(): number {
    const now = this.live.now();
    return this.eventMs === undefined ? now : Math.min(now, this.eventMs);
  }
  nowNs(): bigint {
    const now = this.live.nowNs();
    if (this.eventMs === undefined) return now;
    const event = BigInt(this.eventMs) * 1_000_000n;
    return event < now ? event : now;
  }
}

/** Time during replay: the current event's time (never going back). */
class EventTimeClock implements Clock {
  private ms = 0;
  set(ms: number): void {
    this.ms = Math.max(this.ms, ms);
  }
  now(): number {
    return this.ms;
  }
  nowNs(): bigint {
    return BigInt(this.ms) * 1_000_000n;
  }
}

export class DetectionEngine implements EventStage {
  readonly registry: SessionRegistry;
  private readonly options: DetectionEngineOptions;
  private readonly logger: Logger;
  private readonly m: EngineMetrics;
  private readonly detectors = new Map<DetectorName, Detector<unknown>>();
  private readonly emitted: BoundedSet<string>;
  private readonly policies = new BoundedMap<string, ResolvedPolicy>(10_000);
  private readonly pending = new Set<Promise<void>>();
  private readonly judges: SecondOpinions;
  /** One context, re-aimed at each (event, detector): detectors use it synchronously only. */
  private readonly ctx = new SlotContext();
  /** Events of sessions being reloaded, by session key, in arrival order. */
  private readonly held = new Map<string, AuditEvent[]>();
  private readonly maxHeldSessions: number;
  private readonly maxHeldEvents: number;
  /** While `evaluate` runs: the findings its event produced. */
  private collected: Finding[] | undefined;
  /** Intents keyed by their tool call (by event id): what judging them found, and whether they carried an action. */
  private readonly callIntents: BoundedMap<string, JudgedIntent>;
  /** While an intent keyed by its call is judged: the findings it produced. */
  private current: Finding[] | undefined;
  /** While `evaluate` runs for an action an operator allowed once: findings are stored, not acted on. */
  private withholdHandler = false;
  /** The stream's clock, and the last takeover (ms): stream events from before it are judged at their own time. */
  private readonly streamClock: StreamClock;
  private takenOverAt = -Infinity;
  private readonly streamTick = (e: AuditEvent): void => {
    const ms = nsToMs(e.time_ns);
    this.streamClock.at(ms < this.takenOverAt ? ms : undefined);
  };

  constructor(options: DetectionEngineOptions) {
    this.options = options;
    this.registry = options.registry;
    this.logger = options.logger.child({ component: 'detection-engine' });
    this.m = engineMetrics(options.metrics);
    this.emitted = new BoundedSet(options.maxRememberedFindings ?? 100_000);
    for (const f of options.policy.factories) this.detectors.set(f.name, f.create());
    this.judges = new SecondOpinions({ clock: options.clock, logger: this.logger, metrics: options.metrics, ...options.judge });
    this.maxHeldSessions = options.maxHeldSessions ?? 1000;
    this.maxHeldEvents = options.maxHeldEvents ?? 1000;
    this.callIntents = new BoundedMap(options.maxRememberedIntents ?? 50_000);
    this.streamClock = new StreamClock(options.clock);
  }

  /**
   * This instance takes its sessions over at `atMs` (a start, a rebalance), just before their
   * state is rebuilt from storage: stream events from before then that arrive afterwards are
   * judged at their own time.
   */
  tookOver(atMs: number): void {
    this.takenOverAt = Math.max(this.takenOverAt, atMs);
  }

  /** Events waiting for their session's reload. */
  get heldEvents(): number {
    let n = 0;
    for (const list of this.held.values()) n += list.length;
    return n;
  }

  async consume(events: AuditEvent[]): Promise<void> {
    this.stream(events);
  }

  /**
   * The gate's path: one intended action observed now, synchronously, exactly as the stream
   * would observe it (state updated, findings stored and handed to `onFinding`); returns the
   * findings this event produced. An event the session already saw returns `null` — or, for an
   * intent keyed by its tool call, the findings the copy judged first produced. With
   * `act: false` (an action an operator allowed once) the findings are stored but not handed to
   * `onFinding`, so they revoke nothing.
   */
  evaluate(event: AuditEvent, options: { act?: boolean } = {}): Finding[] | null {
    if (this.isDuplicate(event)) return keyedByCall(event) ? (this.callIntents.get(event.event_id)?.findings.slice() ?? null) : null;
    const collected: Finding[] = [];
    this.collected = collected;
    this.withholdHandler = options.act === false;
    try {
      this.run([event], false, this.options.clock);
    } finally {
      this.collected = undefined;
      this.withholdHandler = false;
    }
    return collected;
  }

  /** Rebuilds state from stored events: nothing is stored or sent; time follows the events. */
  replay(events: AuditEvent[]): void {
    const clock = new EventTimeClock();
    this.run(events, true, clock, (e) => clock.set(nsToMs(e.time_ns)));
  }

  /**
   * Finding ids storage already holds (read back by a rebuild): the events that led to them may
   * not be stored yet — an instance killed between its findings' batch and its events' insert —
   * and come again with the redelivered batch; their findings are not emitted a second time.
   */
  rememberFindings(ids: Iterable<string>): void {
    for (const id of ids) this.emitted.add(id);
  }

  /** Waits for every judge call and every `onFinding` call still running. */
  async drain(): Promise<void> {
    while (this.judges.busy > 0 || this.pending.size > 0) {
      await this.judges.drain();
      await Promise.allSettled([...this.pending]);
    }
  }

  /** The resolved policy for a session (cached per tenant and agent). */
  policyFor(session: SessionState): ResolvedPolicy {
    const key = `${session.tenant}\u0000${session.agent_id}`;
    let p = this.policies.get(key);
    if (!p) {
      p = resolve(this.options.policy, session.tenant, session.agent_id);
      this.policies.set(key, p);
    }
    return p;
  }

  /** Judges the stream's events (takeover time: see StreamClock). */
  private stream(events: AuditEvent[]): void {
    try {
      this.run(events, false, this.streamClock, this.streamTick);
    } finally {
      this.streamClock.at(undefined);
    }
  }

  private run(events: AuditEvent[], silent: boolean, clock: Clock, tick?: (e: AuditEvent) => void): void {
    const ctx = this.ctx;
    ctx.clock = clock;
    const spent = new Map<DetectorName, { seconds: number; events: number }>();
    for (const event of events) {
      if (this.held.size > 0 || this.registry.needsReload(event.tenant, event.session_id)) {
        if (silent ? this.registry.needsReload(event.tenant, event.session_id) : this.hold(event)) continue;
      }
      if (this.isDuplicate(event)) {
        this.m.duplicates.inc();
        continue;
      }
      tick?.(event);
      const byCall = keyedByCall(event);
      const found: Finding[] = [];
      this.current = byCall ? found : undefined;
      const session = this.registry.observe(event);
      const policy = this.policyFor(session);
      for (const { factory, config } of policy.detectors) {
        const detector = this.detectors.get(factory.name);
        if (!detector) continue;
        ctx.session = session;
        ctx.config = config;
        ctx.name = factory.name;
        const started = performance.now();
        try {
          for (const draft of detector.observe(event, ctx)) {
            const finding = toFinding(draft, factory.name, event, session);
            if (!this.emit(finding, session, policy, silent)) continue;
            this.judges.consider(finding, event, session.goal, config, (f) => this.followUp(f, session, policy));
          }
        } catch (err) {
          this.m.failures.inc({ detector: factory.name });
          this.logger.error({ err, detector: factory.name, event_id: event.event_id }, 'detector failed on an event; continuing');
        } finally {
          const t = spent.get(factory.name) ?? { seconds: 0, events: 0 };
          t.seconds += (performance.now() - started) / 1000;
          t.events++;
          spent.set(factory.name, t);
        }
      }
      this.current = undefined;
      if (byCall) {
        const before = this.callIntents.get(event.event_id);
        this.callIntents.set(event.event_id, { findings: before ? [...before.findings, ...found] : found, action: carriesAction(event) });
      }
      this.registry.remember(session, event);
      if (!silent) this.options.sessions?.touch(session);
    }
    for (const [detector, t] of spent) {
      this.m.detectorSeconds.inc({ detector }, t.seconds);
      this.m.detectorEvents.inc({ detector }, t.events);
    }
  }

  /**
   * True when the event waits for its session's reload (held, reload started); false when it is
   * to be judged now — its session needs no reload, or the hold is full (then the session is
   * marked lost and whatever it had held is judged first, in order).
   */
  private hold(event: AuditEvent): boolean {
    const key = sessionKey(event.tenant, event.session_id);
    const waiting = this.held.get(key);
    if (waiting && waiting.length < this.maxHeldEvents) {
      waiting.push(event);
      return true;
    }
    if (waiting) {
      this.held.delete(key);
      this.registry.markLost(event.tenant, event.session_id, 'hold_full');
      this.stream(waiting);
      return false;
    }
    if (!this.registry.needsReload(event.tenant, event.session_id)) return false;
    if (this.held.size >= this.maxHeldSessions) {
      this.registry.markLost(event.tenant, event.session_id, 'hold_full');
      return false;
    }
    this.held.set(key, [event]);
    const reloaded: Promise<void> = this.registry
      .reload(event.tenant, event.session_id)
      .then(() => this.release(key))
      .catch((err: unknown) => {
        this.options.metrics.errors.inc({ stage: 'session_reload', code: errorCode(err) });
        this.logger.error({ err, session_id: event.session_id }, 'judging held events after a reload failed');
      })
      .finally(() => this.pending.delete(reloaded));
    this.pending.add(reloaded);
    return true;
  }

  /** Judges a reloaded session's held events, in order. */
  private release(key: string): void {
    const events = this.held.get(key);
    if (!events) return;
    this.held.delete(key);
    this.stream(events);
  }

  /** A judge's follow-up, emitted against the session as it is now (it may have been revoked since). */
  private followUp(finding: Finding, session: SessionState, policy: ResolvedPolicy): void {
    this.emit(finding, this.registry.get(session.tenant, session.id) ?? session, policy, false);
  }

  /**
   * True when the event was judged before: among its session's recent events, or an intent of a
   * tool call already judged — unless that copy was a bare receipt and this one carries the action.
   */
  private isDuplicate(event: AuditEvent): boolean {
    if (!keyedByCall(event)) return this.registry.isDuplicate(event);
    const judged = this.callIntents.get(event.event_id);
    if (judged) return judged.action || !carriesAction(event);
    return this.registry.isDuplicate(event);
  }

  /** True when the finding is new and was sent on (not a duplicate, not replayed). */
  private emit(finding: Finding, session: SessionState, policy: ResolvedPolicy, silent: boolean): boolean {
    if (this.emitted.has(finding.id)) return false;
    this.emitted.add(finding.id);
    this.current?.push(finding);
    if (silent) return false;
    this.collected?.push(finding);
    this.m.findings.inc({ detector: finding.detector, severity: finding.severity });
    this.options.findings?.add(finding);
    const handler = this.withholdHandler ? undefined : this.options.onFinding;
    if (!handler) return true;
    try {
      const result = handler(finding, session, policy);
      if (result instanceof Promise) {
        const tracked: Promise<void> = result
          .catch((err: unknown) => this.logFailure(err, finding))
          .finally(() => this.pending.delete(tracked));
        this.pending.add(tracked);
      }
    } catch (err) {
      this.logFailure(err, finding);
    }
    return true;
  }

  private logFailure(err: unknown, finding: Finding): void {
    this.options.metrics.errors.inc({ stage: 'on_finding', code: errorCode(err) });
    this.logger.error({ err, finding_id: finding.id, detector: finding.detector }, 'finding handler failed');
  }
}

/** The context a detector sees; `slot` is the detector's own state in the session. */
class SlotContext implements DetectorContext<unknown> {
  session!: SessionState;
  config: unknown;
  clock!: Clock;
  name!: DetectorName;

  slot<S>(init: () => S): S {
    const slots = this.session.slots;
    let value = slots.get(this.name);
    if (value === undefined && !slots.has(this.name)) {
      value = init();
      slots.set(this.name, value);
    }
    return value as S;
  }
}

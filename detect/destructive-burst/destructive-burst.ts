/**
 * The destructive-burst detector. Per session, a sliding window of the destructive actions seen
 * (intent or execution, one per tool call), each weighted by its blast radius (less when it
 * tears down what the session itself made: own-resources.ts). Two tests run on
 * every new action:
 *  - fixed floors: the weighted count over `window_ms` reaching a floor's weight with at least
 *    `min_actions` actions fires that floor's severity; a burst reports each level once and
 *    re-arms when the window falls below every floor;
 *  - the agent's own baseline: the session's count over `baseline.window_ms` against a Poisson
 *    tail whose mean is the agent's learned rate × the window; p below `p_medium` / `p_high`
 *    fires medium / high (only when no floor fired on the same action).
 */
import type { AuditEvent } from '../../model/audit-event.js';
import type { Detector, DetectorContext } from '../detector.js';
import { SEVERITY_RANK, type FindingDraft, type FindingSeverity } from '../../model/finding.js';
import { isLiveAction, actionText } from '../common/actions.js';
import { BoundedSet } from '../../lib/bounded.js';
import { firstSight } from '../session/action-keys.js';
import { AgentBaselines } from './agent-baseline.js';
import { actionWeight } from './blast-weight.js';
import { OwnResources } from './own-resources.js';
import type { BurstConfig, BurstFloor } from './config.js';
import { poissonUpperTail } from './poisson-tail.js';

const MAX_ACTIONS = 1000;
const MAX_EVIDENCE = 50;

interface WindowAction {
  at: number;
  weight: number;
  radius: string;
  event_id: string;
  label: string;
}

interface BurstSlot {
  actions: WindowAction[];
  counted: BoundedSet<string>;
  own: OwnResources;
  floorRank: number;
  baselineRank: number;
}

function newSlot(): BurstSlot {
  return { actions: [], counted: new BoundedSet(2 * MAX_ACTIONS), own: new OwnResources(), floorRank: 0, baselineRank: 0 };
}

function within(actions: WindowAction[], now: number, windowMs: number): WindowAction[] {
  return actions.filter((a) => a.at > now - windowMs);
}

/** The window's weighted count, in one pass and without copying (the common case fires nothing). */
interface Tally {
  /** Actions and their weight within `window_ms`. */
  count: number;
  weight: number;
  /** Actions within the baseline's window. */
  baselineCount: number;
  /** Some action is older than both windows. */
  stale: boolean;
}

function tally(actions: readonly WindowAction[], now: number, config: BurstConfig): Tally {
  const floorFrom = now - config.window_ms;
  const baselineFrom = now - config.baseline.window_ms;
  const keepFrom = Math.min(floorFrom, baselineFrom);
  const t: Tally = { count: 0, weight: 0, baselineCount: 0, stale: false };
  for (const a of actions) {
    if (a.at > floorFrom) {
      t.count++;
      t.weight += a.weight;
    }
    if (a.at > baselineFrom) t.baselineCount++;
    if (a.at <= keepFrom) t.stale = true;
  }
  return t;
}

function describe(actions: WindowAction[]): string {
  const shown = actions.slice(-5).map((a) => `${a.label} (${a.radius}, ${a.weight.toFixed(1)})`);
  return `${actions.length > 5 ? `…, ` : ''}${shown.join(', ')}`;
}

function evidence(actions: WindowAction[]): string[] {
  return actions.slice(-MAX_EVIDENCE).map((a) => a.event_id);
}

export class DestructiveBurstDetector implements Detector<BurstConfig> {
  readonly name = 'destructive_burst' as const;
  private readonly baselines = new AgentBaselines();

  observe(event: AuditEvent, ctx: DetectorContext<BurstConfig>): FindingDraft[] {
    const { config, clock, session } = ctx;
    const now = clock.now();
    const counts = event.destructive && isLiveAction(event) && config.count_phases.includes(event.phase);
    const slot = ctx.slot(newSlot);
    if (isLiveAction(event)) slot.own.note(event, config.own_resource_classes);
    const isNew = counts && firstSight(slot.counted, event);
    const agentKey = `${session.tenant}\u0000${session.agent_id}`;
    if (config.baseline.enabled) this.baselines.note(agentKey, now, isNew, config.baseline);
    if (!isNew) return [];

    const { weight, radius, own } = actionWeight(event, config, slot.own.owns(event));
    slot.actions.push({ at: now, weight, radius: own ? `${radius}, its own` : radius, event_id: event.event_id, label: actionText(event) });
    let t = tally(slot.actions, now, config);
    if (t.stale || slot.actions.length > MAX_ACTIONS) {
      slot.actions = within(slot.actions, now, Math.max(config.window_ms, config.baseline.window_ms)).slice(-MAX_ACTIONS);
      t = tally(slot.actions, now, config);
    }

    const floorFinding = this.checkFloors(slot, now, config, t);
    if (floorFinding) return [floorFinding];
    const baselineFinding = config.baseline.enabled ? this.checkBaseline(slot, now, agentKey, config, t) : undefined;
    return baselineFinding ? [baselineFinding] : [];
  }

  private checkFloors(slot: BurstSlot, now: number, config: BurstConfig, t: Tally): FindingDraft | undefined {
    let reached: BurstFloor | undefined;
    for (const f of config.floors) {
      if (t.weight >= f.weight && t.count >= f.min_actions && (!reached || SEVERITY_RANK[f.severity] > SEVERITY_RANK[reached.severity])) reached = f;
    }
    if (!reached) {
      slot.floorRank = 0;
      return undefined;
    }
    const rank = SEVERITY_RANK[reached.severity];
    if (rank <= slot.floorRank) return undefined;
    slot.floorRank = rank;
    const inWindow = within(slot.actions, now, config.window_ms);
    const total = inWindow.reduce((s, a) => s + a.weight, 0);
    const seconds = config.window_ms / 1000;
    return {
      severity: reached.severity,
      score: Math.min(1, 0.5 + (total - reached.weight) / (2 * reached.weight)),
      title: `Destructive burst: ${inWindow.length} destructive actions in ${seconds} s`,
      explanation:
        `${inWindow.length} destructive actions within ${seconds} s weigh ${total.toFixed(1)} ` +
        `(blast radius × severity × irreversibility), at or above the ${reached.severity} floor of ` +
        `${reached.weight} with at least ${reached.min_actions} actions. Latest: ${describe(inWindow)}.`,
      evidence: evidence(inWindow),
      check: 'floor',
    };
  }

  private checkBaseline(slot: BurstSlot, now: number, agentKey: string, config: BurstConfig, t: Tally): FindingDraft | undefined {
    const b = config.baseline;
    const learned = this.baselines.rateOf(agentKey);
    if (t.baselineCount < b.min_actions) slot.baselineRank = 0;
    if (!learned || learned.minutes < b.warmup_minutes || t.baselineCount < b.min_actions) return undefined;
    const rate = Math.max(learned.rate, b.min_rate_per_minute);
    const mean = (rate * b.window_ms) / 60_000;
    const p = poissonUpperTail(t.baselineCount, mean);
    const severity: FindingSeverity | undefined = p < b.p_high ? 'high' : p < b.p_medium ? 'medium' : undefined;
    if (!severity || SEVERITY_RANK[severity] <= slot.baselineRank) return undefined;
    slot.baselineRank = SEVERITY_RANK[severity];
    const inWindow = within(slot.actions, now, b.window_ms);
    const seconds = b.window_ms / 1000;
    return {
      severity,
      score: Math.min(1, -Math.log10(p) / 12),
      title: `Destructive actions far above this agent's usual pace: ${inWindow.length} in ${seconds} s`,
      explanation:
        `${inWindow.length} destructive actions within ${seconds} s; this agent's learned rate is ` +
        `${learned.rate.toFixed(3)}/min over ${learned.minutes} active minutes (floor ${b.min_rate_per_minute}/min), ` +
        `so about ${mean.toFixed(3)} were expected. P(X ≥ ${inWindow.length}) = ${p.toExponential(2)} under a Poisson ` +
        `model, below ${severity === 'high' ? b.p_high : b.p_medium}. Latest: ${describe(inWindow)}.`,
      evidence: evidence(inWindow),
      check: 'baseline',
    };
  }
}

/**
 * The capability-budget detector. Each session holds a budget of destructive impact: every
 * destructive action (one per tool call) spends points by its severity (halved, by default, when
 * reversible), and the budget regains `regen_per_minute` points per minute of clock time, never
 * above its maximum. Falling to `warn_fraction` of the budget reports a warning; reaching zero
 * reports the exhausted severity (critical by default, which the kill switch revokes on). Each
 * level reports once and re-arms when the budget has regenerated above the warning line. Exhausted means less than the price of one low-severity action is left.
 */
import type { AuditEvent } from '../../model/audit-event.js';
import type { Detector, DetectorContext } from '../detector.js';
import type { FindingDraft, FindingSeverity } from '../../model/finding.js';
import { actionText, isLiveAction } from '../common/actions.js';
import { BoundedSet } from '../../lib/bounded.js';
import { firstSight } from '../session/action-keys.js';
import type { BudgetConfig } from './config.js';

const MAX_SPENT = 50;

interface Spend {
  event_id: string;
  label: string;
  points: number;
}

interface BudgetSlot {
  remaining: number;
  updatedMs: number;
  counted: BoundedSet<string>;
  spent: Spend[];
  /** 0: armed, 1: warned, 2: exhausted. */
  level: number;
}

export function regenerate(slot: BudgetSlot, nowMs: number, config: BudgetConfig): void {
  const minutes = Math.max(0, nowMs - slot.updatedMs) / 60_000;
  slot.remaining = Math.min(config.budget, slot.remaining + minutes * config.regen_per_minute);
  slot.updatedMs = nowMs;
}

/** Exhausted: not even a low-severity action is affordable (zero left when those are free). */
function exhaustedBelow(config: BudgetConfig): number {
  return config.points.low > 0 ? config.points.low : Number.MIN_VALUE;
}

export class CapabilityBudgetDetector implements Detector<BudgetConfig> {
  readonly name = 'capability_budget' as const;

  observe(event: AuditEvent, ctx: DetectorContext<BudgetConfig>): FindingDraft[] {
    const { config } = ctx;
    if (!event.destructive || !isLiveAction(event) || !config.count_phases.includes(event.phase)) return [];
    const now = ctx.clock.now();
    const slot = ctx.slot<BudgetSlot>(() => ({ remaining: config.budget, updatedMs: now, counted: new BoundedSet<string>(1000), spent: [], level: 0 }));
    if (!firstSight(slot.counted, event)) return [];
    regenerate(slot, now, config);
    const warnLine = config.budget * config.warn_fraction;
    if (slot.remaining > warnLine) slot.level = 0;

    const severity = event.severity === 'none' ? 'low' : event.severity;
    const points = config.points[severity] * (event.reversible ? config.reversible_factor : 1);
    slot.remaining = Math.max(0, slot.remaining - points);
    slot.spent.push({ event_id: event.event_id, label: actionText(event), points });
    if (slot.spent.length > MAX_SPENT) slot.spent.shift();

    if (slot.remaining < exhaustedBelow(config) && slot.level < 2) {
      slot.level = 2;
      return [this.draft(config.exhausted_severity, 1, 'Capability budget exhausted', slot, points, config)];
    }
    if (slot.remaining <= warnLine && slot.level < 1) {
      slot.level = 1;
      const score = Math.min(1, 0.5 + (warnLine - slot.remaining) / (2 * Math.max(warnLine, 1e-9)));
      return [this.draft(config.warn_severity, score, 'Capability budget running low', slot, points, config)];
    }
    return [];
  }

  private draft(severity: FindingSeverity, score: number, what: string, slot: BudgetSlot, points: number, config: BudgetConfig): FindingDraft {
    const last = slot.spent[slot.spent.length - 1]!;
    const recent = slot.spent.slice(-5).map((s) => `${s.label} (${s.points})`).join(', ');
    return {
      severity,
      score,
      title: `${what}: ${slot.remaining.toFixed(1)} of ${config.budget} points left after ${last.label}`,
      explanation:
        `Destructive actions spend points by severity (${Object.entries(config.points).map(([k, v]) => `${k} ${v}`).join(', ')}; ` +
        `×${config.reversible_factor} when reversible) and the budget regains ${config.regen_per_minute}/min. ` +
        `The last action cost ${points}; ${slot.remaining.toFixed(1)} of ${config.budget} remain ` +
        `(warning at ${(config.warn_fraction * 100).toFixed(0)}%). Recent spending: ${recent}.`,
      evidence: slot.spent.map((s) => s.event_id),
    };
  }
}

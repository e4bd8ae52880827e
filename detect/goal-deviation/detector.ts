/**
 * goal_deviation: does the action still serve the session's goal? Per action, the goal model
 * (goal-model.ts, cached per goal text) and the action model (action-model.ts) give the
 * reasons (reasons.ts), combined into one finding whose severity is the worst reason's. Per
 * execution, the session's destructive share is compared with the agent's baseline
 * (baseline.ts, shared by every session this detector instance sees) and reported once. No
 * goal: silent (the session still counts towards the baseline). The external judge is never
 * called here; see judge-client.ts.
 */
import type { AuditEvent } from '../../model/audit-event.js';
import type { Detector, DetectorContext } from '../detector.js';
import { SEVERITY_RANK, type FindingDraft } from '../../model/finding.js';
import { actionText, fmt, isLiveAction } from '../common/actions.js';
import { BoundedMap } from '../../lib/bounded.js';
import { clip } from '../common/tokens.js';
import { readAction } from './action-model.js';
import { BaselineStore, deviates, type MixResult, type SessionMix } from './baseline.js';
import type { GoalDeviationConfig } from './config.js';
import { readGoal, type GoalModel } from './goal-model.js';
import { reasonsFor, type Reason } from './reasons.js';

interface GoalState {
  goal: GoalModel | undefined;
  mix: SessionMix;
  mixReported: boolean;
  reported: BoundedMap<string, number>;
}

function goalOf(state: GoalState, text: string, config: GoalDeviationConfig): GoalModel | undefined {
  const goal = text.trim();
  if (goal === '') return undefined;
  if (state.goal?.text !== goal) state.goal = readGoal(goal, config);
  return state.goal;
}

function fresh(state: GoalState, key: string, rank: number): boolean {
  if ((state.reported.get(key) ?? 0) >= rank) return false;
  state.reported.set(key, rank);
  return true;
}

function actionDraft(event: AuditEvent, goal: GoalModel, reasons: Reason[]): FindingDraft {
  const top = reasons.reduce((a, b) => (SEVERITY_RANK[b.severity] > SEVERITY_RANK[a.severity] || (b.severity === a.severity && b.score > a.score) ? b : a));
  const g = `"${clip(goal.text, 60)}"`;
  const a = actionText(event);
  const title = {
    escalation: `${a} goes beyond the goal ${g}`,
    forbidden: `${a} does what the goal ${g} rules out`,
    environment: `${a} acts outside the environment the goal ${g} names`,
    entity: `${a} acts on something the goal ${g} does not name`,
  }[top.kind];
  return {
    severity: top.severity,
    score: Number(Math.max(...reasons.map((r) => r.score)).toFixed(3)),
    title: `Goal deviation: ${title}`,
    explanation: reasons.map((r) => r.sentence).join(' '),
    evidence: [event.event_id],
    check: top.kind,
  };
}

function mixDraft(event: AuditEvent, goal: GoalModel, r: MixResult, mix: SessionMix): FindingDraft {
  const pct = (x: number): string => `${(x * 100).toFixed(x < 0.1 ? 1 : 0)}%`;
  const p = r.p < 0.001 ? 'p < 0.001' : `p = ${r.p.toFixed(3)}`;
  return {
    severity: 'medium',
    score: Number(Math.min(1, 0.5 + r.z / 20).toFixed(3)),
    title: `Goal deviation: ${mix.k} of ${mix.n} actions destructive, far above this agent's usual mix`,
    explanation: `While working on "${goal.text}", ${mix.k} of ${mix.n} actions (${pct(r.share)}) were destructive; ` +
      `over ${r.baseSessions} other sessions this agent's destructive share is ${pct(r.baseShare)} ` +
      `(${r.baseDestructive} of ${r.baseEvents}); z = ${fmt(r.z, 1)} (${p}). Latest: ${actionText(event)}.`,
    evidence: [event.event_id],
    check: 'mix',
  };
}

export function createGoalDeviationDetector(): Detector<GoalDeviationConfig> {
  let baseline: BaselineStore | undefined;
  return {
    name: 'goal_deviation',
    observe(event: AuditEvent, ctx: DetectorContext<GoalDeviationConfig>): FindingDraft[] {
      if (!isLiveAction(event)) return [];
      const config = ctx.config;
      const store = (baseline ??= new BaselineStore(config.mix.max_agents));
      const agentKey = `${ctx.session.tenant}\u0000${ctx.session.agent_id}`;
      const state = ctx.slot<GoalState>(() => {
        store.startSession(agentKey);
        return { goal: undefined, mix: { n: 0, k: 0 }, mixReported: false, reported: new BoundedMap(config.max_reported) };
      });
      if (event.phase === 'execution') {
        state.mix.n++;
        if (event.destructive) state.mix.k++;
        store.record(agentKey, event.destructive, config.mix.max_events);
      }
      const goal = goalOf(state, ctx.session.goal, config);
      if (goal === undefined) return [];
      const drafts: FindingDraft[] = [];
      const reasons = reasonsFor(goal, readAction(event, config), event, config);
      if (reasons.length > 0) {
        const rank = Math.max(...reasons.map((r) => SEVERITY_RANK[r.severity]));
        const key = `${reasons.map((r) => r.kind).join('+')}\u0000${event.action_class}`;
        if (fresh(state, key, rank)) drafts.push(actionDraft(event, goal, reasons));
      }
      if (config.mix.enabled && !state.mixReported && event.phase === 'execution' && event.destructive) {
        const r = store.compare(agentKey, state.mix, config.mix);
        if (r !== undefined && deviates(r, config.mix)) {
          state.mixReported = true;
          drafts.push(mixDraft(event, goal, r, state.mix));
        }
      }
      return drafts;
    },
  };
}

/**
 * The four ways an action can stop serving its goal, each a sentence with the numbers:
 * impact escalation (the action's level is above what the goal implies), a forbidden level or
 * environment (the goal said "without deleting", "don't touch prod"), an environment mismatch
 * (the goal names `test`, the action touches `staging`), and an entity mismatch (a cleanup
 * goal names what to delete; a destructive action deletes something else).
 */
import type { AuditEvent } from '../../model/audit-event.js';
import { SEVERITY_RANK, type FindingSeverity } from '../../model/finding.js';
import { actionText, classText } from '../common/actions.js';
import { namedEntity, type ActionModel } from './action-model.js';
import type { GoalDeviationConfig } from './config.js';
import type { GoalModel } from './goal-model.js';

export interface Reason {
  kind: 'escalation' | 'forbidden' | 'environment' | 'entity';
  severity: FindingSeverity;
  score: number;
  sentence: string;
}

const LEVEL_WORDS: Record<string, string> = {
  read: 'read-only work', modify: 'changing files or configuration', apply: 'applying changes to running systems',
  delete: 'deleting the things it names', destroy: 'destroying resources',
};

const levelWords = (level: string): string => LEVEL_WORDS[level] ?? `${level}-level work`;
const list = (s: Iterable<string>): string => [...s].join(', ');

function destructiveSeverity(event: AuditEvent): FindingSeverity {
  return SEVERITY_RANK[event.severity] >= SEVERITY_RANK.high ? 'high' : 'medium';
}

function escalation(goal: GoalModel, action: ActionModel, event: AuditEvent, config: GoalDeviationConfig, named: boolean): Reason | undefined {
  if (goal.implied < 0 || action.level <= goal.implied) return undefined;
  const destroy = config.levels.length - 1;
  if (named && action.level === destroy && goal.implied === destroy - 1) return undefined;
  let severity: FindingSeverity;
  if (event.destructive) severity = destructiveSeverity(event);
  else if (config.nondestructive_escalation === 'silent') return undefined;
  else severity = config.nondestructive_escalation;
  const gap = action.level - goal.implied;
  const goalLevel = config.levels[goal.implied]!;
  const sentence = `The goal "${goal.text}" implies ${levelWords(goalLevel)} (from "${goal.impliedBy}"); ` +
    `${actionText(event)} is a ${config.levels[action.level]}-level action ${classText(event)}, ${gap} level${gap === 1 ? '' : 's'} above it.`;
  const score = Math.min(1, 0.45 + 0.1 * gap + (event.destructive ? 0.1 : 0) + 0.05 * SEVERITY_RANK[event.severity]);
  return { kind: 'escalation', severity, score, sentence };
}

function forbidden(goal: GoalModel, action: ActionModel, event: AuditEvent, config: GoalDeviationConfig): Reason | undefined {
  if (action.level === 0) return undefined;
  const severity: FindingSeverity = event.destructive ? 'high' : 'medium';
  for (const [level, verb] of goal.forbidden) {
    if (action.level < level || level === 0) continue;
    const sentence = `The goal "${goal.text}" rules out "${verb}"; ${actionText(event)} is a ${config.levels[action.level]}-level action ${classText(event)}.`;
    return { kind: 'forbidden', severity, score: event.destructive ? 0.95 : 0.7, sentence };
  }
  const envs = [...action.environments].filter((e) => goal.forbiddenEnvironments.has(e));
  if (envs.length === 0) return undefined;
  const sentence = `The goal "${goal.text}" rules out ${list(envs)}; ${actionText(event)} ${classText(event)} acts on ${list(envs)}.`;
  return { kind: 'forbidden', severity, score: event.destructive ? 0.95 : 0.7, sentence };
}

function environment(goal: GoalModel, action: ActionModel, event: AuditEvent): Reason | undefined {
  if (action.level === 0 || goal.environments.size === 0 || action.environments.size === 0) return undefined;
  if ([...action.environments].some((e) => goal.environments.has(e))) return undefined;
  const severity: FindingSeverity = event.destructive ? 'high' : 'medium';
  const sentence = `The goal names the ${list(goal.environments)} environment; ${actionText(event)} ${classText(event)} acts on ${list(action.environments)}.`;
  return { kind: 'environment', severity, score: event.destructive ? 0.9 : 0.6, sentence };
}

function entity(goal: GoalModel, action: ActionModel, event: AuditEvent, config: GoalDeviationConfig, named: boolean): Reason | undefined {
  const deleteLevel = config.levels.length - 2;
  if (!event.destructive || action.level < deleteLevel || goal.deleteEntities.length === 0 || named) return undefined;
  const shown = event.targets.slice(0, 3).join(', ') || 'its targets';
  const sentence = `The goal "${goal.text}" names ${list(goal.deleteEntities.map((e) => `"${e}"`))} as what to delete; ` +
    `${actionText(event)} ${classText(event)} acts on ${shown}, which is none of them.`;
  return { kind: 'entity', severity: SEVERITY_RANK[event.severity] >= SEVERITY_RANK.medium ? 'high' : 'medium', score: 0.85, sentence };
}

export function reasonsFor(goal: GoalModel, action: ActionModel, event: AuditEvent, config: GoalDeviationConfig): Reason[] {
  const envNamed = [...action.environments].some((e) => goal.environments.has(e));
  const named = envNamed || namedEntity(event, [...goal.entities, ...goal.deleteEntities]) !== undefined;
  const out = [forbidden(goal, action, event, config), escalation(goal, action, event, config, named), environment(goal, action, event), entity(goal, action, event, config, named)];
  return out.filter((r): r is Reason => r !== undefined);
}

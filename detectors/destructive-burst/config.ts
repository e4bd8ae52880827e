/**
 * Destructive burst config: the window, the floors that fire, the weights that turn an action
 * into a number (blast radius × severity × irreversibility) and the per-agent baseline test.
 * Defaults live in `defaults.yaml`; `validateBurstConfig` merges a partial config over a base and
 * reports every wrong field.
 */
import type { Phase } from '../../ingest/audit-event.js';
import type { FindingSeverity } from '../finding.js';
import {
  checkBoolean,
  checkNumber,
  checkNumberMap,
  checkOneOf,
  checkSeverity,
  checkSeverityNumbers,
  checkStringList,
} from '../policy/config-checks.js';
import { isPlainObject } from '../policy/config-merge.js';
import { configValidator, loadDefaults } from '../policy/detector-config.js';

export interface BurstFloor {
  severity: FindingSeverity;
  /** Weighted count in the window at which the floor is reached. */
  weight: number;
  /** And at least this many actions (one wide action alone is not a burst). */
  min_actions: number;
}

export interface BurstWeights {
  /** Weight per blast-radius class (open: classes are data). */
  radius: Record<string, number>;
  severity: Record<FindingSeverity, number>;
  irreversible: number;
  reversible: number;
  regenerable: number;
  /** Factor for tearing down what the session itself made (see own-resources.ts). */
  own: number;
  /** Cap on one action's weight. */
  max_event: number;
}

export interface BaselineConfig {
  enabled: boolean;
  /** The session's count is taken over this window. */
  window_ms: number;
  /** EWMA smoothing per active minute (0 < alpha ≤ 1). */
  alpha: number;
  /** Active minutes of history before the baseline is trusted. */
  warmup_minutes: number;
  /** Floor on the learned rate, so an agent that never deletes is not infinitely surprising. */
  min_rate_per_minute: number;
  /** Quiet minutes longer than this are not activity (the agent was idle, not careful). */
  max_idle_gap_minutes: number;
  min_actions: number;
  p_medium: number;
  p_high: number;
  /** Agents whose baselines are kept (least recently seen forgotten first). */
  max_agents: number;
}

export interface BurstConfig {
  window_ms: number;
  count_phases: Phase[];
  floors: BurstFloor[];
  weights: BurstWeights;
  radius: {
    /** Rule id glob → radius class. */
    by_rule: Record<string, string>;
    /** Action class glob → radius class. */
    by_action_class: Record<string, string>;
    wildcard_targets: boolean;
  };
  regenerable_rules: string[];
  /** Classes of non-destructive changes whose targets the session then owns (`k8s.apply`). */
  own_resource_classes: string[];
  baseline: BaselineConfig;
}

const PHASES: readonly Phase[] = ['intent', 'execution', 'session'];

function checkFloors(problems: string[], value: unknown): void {
  if (!Array.isArray(value) || value.length === 0) {
    problems.push('floors: must be a non-empty list');
    return;
  }
  value.forEach((f: unknown, i) => {
    const at = `floors[${i}]`;
    if (!isPlainObject(f)) {
      problems.push(`${at}: must be a mapping with severity, weight, min_actions`);
      return;
    }
    for (const key of Object.keys(f)) if (!['severity', 'weight', 'min_actions'].includes(key)) problems.push(`${at}.${key}: unknown key`);
    checkSeverity(problems, `${at}.severity`, f.severity);
    checkNumber(problems, `${at}.weight`, f.weight, { above: 0 });
    checkNumber(problems, `${at}.min_actions`, f.min_actions, { min: 1, integer: true });
  });
}

function checkRadiusMap(problems: string[], path: string, value: unknown, classes: Record<string, number>): void {
  if (!isPlainObject(value)) {
    problems.push(`${path}: must be a mapping of pattern to radius class`);
    return;
  }
  for (const [pattern, cls] of Object.entries(value)) {
    if (typeof cls !== 'string' || !(cls in classes)) {
      problems.push(`${path}.${pattern}: must name a class of weights.radius (${Object.keys(classes).join(', ')})`);
    }
  }
}

export function checkBurstConfig(c: BurstConfig, problems: string[]): void {
  checkNumber(problems, 'window_ms', c.window_ms, { min: 100, integer: true });
  if (checkStringList(problems, 'count_phases', c.count_phases)) {
    c.count_phases.forEach((p, i) => checkOneOf(problems, `count_phases[${i}]`, p, PHASES));
  }
  checkFloors(problems, c.floors);
  const w = c.weights;
  if (!isPlainObject(w)) problems.push('weights: must be a mapping');
  else {
    checkNumberMap(problems, 'weights.radius', w.radius, { min: 0 });
    checkSeverityNumbers(problems, 'weights.severity', w.severity, { min: 0 });
    for (const key of ['irreversible', 'reversible', 'regenerable', 'own', 'max_event'] as const) {
      checkNumber(problems, `weights.${key}`, w[key], { min: 0 });
    }
  }
  const classes = isPlainObject(w) && isPlainObject(w.radius) ? (w.radius as Record<string, number>) : {};
  if (!isPlainObject(c.radius)) problems.push('radius: must be a mapping');
  else {
    checkRadiusMap(problems, 'radius.by_rule', c.radius.by_rule, classes);
    checkRadiusMap(problems, 'radius.by_action_class', c.radius.by_action_class, classes);
    checkBoolean(problems, 'radius.wildcard_targets', c.radius.wildcard_targets);
  }
  checkStringList(problems, 'regenerable_rules', c.regenerable_rules);
  checkStringList(problems, 'own_resource_classes', c.own_resource_classes);
  const b = c.baseline;
  if (!isPlainObject(b)) {
    problems.push('baseline: must be a mapping');
    return;
  }
  checkBoolean(problems, 'baseline.enabled', b.enabled);
  checkNumber(problems, 'baseline.window_ms', b.window_ms, { min: 1000, integer: true });
  checkNumber(problems, 'baseline.alpha', b.alpha, { above: 0, max: 1 });
  checkNumber(problems, 'baseline.warmup_minutes', b.warmup_minutes, { min: 0, integer: true });
  checkNumber(problems, 'baseline.min_rate_per_minute', b.min_rate_per_minute, { above: 0 });
  checkNumber(problems, 'baseline.max_idle_gap_minutes', b.max_idle_gap_minutes, { min: 0, integer: true });
  checkNumber(problems, 'baseline.min_actions', b.min_actions, { min: 1, integer: true });
  checkNumber(problems, 'baseline.p_medium', b.p_medium, { above: 0, max: 1 });
  checkNumber(problems, 'baseline.p_high', b.p_high, { above: 0, max: 1 });
  if (typeof b.p_high === 'number' && typeof b.p_medium === 'number' && b.p_high > b.p_medium) {
    problems.push('baseline.p_high: must not exceed baseline.p_medium');
  }
  checkNumber(problems, 'baseline.max_agents', b.max_agents, { min: 1, integer: true });
}

export const BURST_DEFAULTS: BurstConfig = loadDefaults(new URL('./defaults.yaml', import.meta.url), checkBurstConfig);

export const validateBurstConfig = configValidator(checkBurstConfig, {
  openMaps: ['weights.radius', 'radius.by_rule', 'radius.by_action_class'],
});

/**
 * Destructive burst config: the window, the floors that fire, the weights that turn an action
 * into a number (blast radius × severity × irreversibility) and the per-agent baseline test.
 * Defaults live in `defaults.yaml`, read through the same validation; `validateBurstConfig` reads
 * a partial config over a base and reports every wrong field.
 */
import type { Phase } from '../../model/audit-event.js';
import type { ConfigCheck } from '../detector.js';
import { FINDING_SEVERITIES, type FindingSeverity } from '../../model/finding.js';
import { Fields } from '../common/config-fields.js';
import { loadDefaults } from '../common/load-data.js';

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
const FIELDS = ['window_ms', 'count_phases', 'floors', 'weights', 'radius', 'regenerable_rules', 'own_resource_classes', 'baseline'] as const;
const FLOOR_FIELDS = ['severity', 'weight', 'min_actions'] as const;
const WEIGHT_FIELDS = ['radius', 'severity', 'irreversible', 'reversible', 'regenerable', 'own', 'max_event'] as const;
const FACTORS = ['irreversible', 'reversible', 'regenerable', 'own', 'max_event'] as const;
const RADIUS_FIELDS = ['by_rule', 'by_action_class', 'wildcard_targets'] as const;
const BASELINE_FIELDS = ['enabled', 'window_ms', 'alpha', 'warmup_minutes', 'min_rate_per_minute', 'max_idle_gap_minutes', 'min_actions', 'p_medium', 'p_high',
  'max_agents'] as const;

function readFloor(e: Fields): BurstFloor {
  return {
    severity: e.oneOf('severity', undefined, FINDING_SEVERITIES),
    weight: e.number('weight', undefined, { above: 0 }),
    min_actions: e.number('min_actions', undefined, { min: 1, integer: true }),
  };
}

function readWeights(w: Fields, base: BurstWeights | undefined): BurstWeights {
  const factors = Object.fromEntries(FACTORS.map((k) => [k, w.number(k, base?.[k], { min: 0 })])) as Record<(typeof FACTORS)[number], number>;
  return {
    radius: w.entries('radius', base?.radius, (m, cls, prev) => m.number(cls, prev, { min: 0 })),
    severity: w.numbers('severity', FINDING_SEVERITIES, base?.severity, { min: 0 }),
    ...factors,
  };
}

/** Radius classes by pattern: each must name a class of `weights.radius`. */
function readRadius(r: Fields, base: BurstConfig['radius'] | undefined, classes: string[]): BurstConfig['radius'] {
  const expected = `a class of weights.radius (${classes.join(', ')})`;
  const isClass = (v: unknown): v is string => typeof v === 'string' && classes.includes(v);
  const byClass = (m: Fields, pattern: string, prev: string | undefined): string => m.value(pattern, prev, expected, isClass, '');
  return {
    by_rule: r.entries('by_rule', base?.by_rule, byClass),
    by_action_class: r.entries('by_action_class', base?.by_action_class, byClass),
    wildcard_targets: r.boolean('wildcard_targets', base?.wildcard_targets),
  };
}

function readBaseline(b: Fields, base: BaselineConfig | undefined): BaselineConfig {
  const config: BaselineConfig = {
    enabled: b.boolean('enabled', base?.enabled),
    window_ms: b.number('window_ms', base?.window_ms, { min: 1000, integer: true }),
    alpha: b.number('alpha', base?.alpha, { above: 0, max: 1 }),
    warmup_minutes: b.number('warmup_minutes', base?.warmup_minutes, { min: 0, integer: true }),
    min_rate_per_minute: b.number('min_rate_per_minute', base?.min_rate_per_minute, { above: 0 }),
    max_idle_gap_minutes: b.number('max_idle_gap_minutes', base?.max_idle_gap_minutes, { min: 0, integer: true }),
    min_actions: b.number('min_actions', base?.min_actions, { min: 1, integer: true }),
    p_medium: b.number('p_medium', base?.p_medium, { above: 0, max: 1 }),
    p_high: b.number('p_high', base?.p_high, { above: 0, max: 1 }),
    max_agents: b.number('max_agents', base?.max_agents, { min: 1, integer: true }),
  };
  if (config.p_high > config.p_medium) b.problem('p_high', `must not exceed baseline.p_medium (${config.p_medium})`);
  return config;
}

/** Reads `raw` over `base`, reporting every wrong field; without a base every field must be given. */
export function validateBurstConfig(raw: unknown, base?: BurstConfig): ConfigCheck<BurstConfig> {
  const problems: string[] = [];
  const f = new Fields(raw, '', FIELDS, problems);
  const weights = readWeights(f.object('weights', WEIGHT_FIELDS), base?.weights);
  const config: BurstConfig = {
    window_ms: f.number('window_ms', base?.window_ms, { min: 100, integer: true }),
    count_phases: f.oneOfList('count_phases', base?.count_phases, PHASES),
    floors: f.list('floors', base?.floors, FLOOR_FIELDS, readFloor, { nonEmpty: true }),
    weights,
    radius: readRadius(f.object('radius', RADIUS_FIELDS), base?.radius, Object.keys(weights.radius)),
    regenerable_rules: f.strings('regenerable_rules', base?.regenerable_rules),
    own_resource_classes: f.strings('own_resource_classes', base?.own_resource_classes),
    baseline: readBaseline(f.object('baseline', BASELINE_FIELDS), base?.baseline),
  };
  return { config, problems };
}

export const BURST_DEFAULTS: BurstConfig = loadDefaults(new URL('./defaults.yaml', import.meta.url), validateBurstConfig);

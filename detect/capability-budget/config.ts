/**
 * Capability budget config: the budget a session starts with, how fast it regenerates, what each
 * destructive action costs by severity, and the thresholds that report. Defaults live in
 * `defaults.yaml`, read through the same validation; `validateBudgetConfig` reads a partial
 * config over a base and reports every wrong field.
 */
import type { Phase } from '../../model/audit-event.js';
import type { ConfigCheck } from '../detector.js';
import { FINDING_SEVERITIES, type FindingSeverity } from '../../model/finding.js';
import { Fields } from '../common/config-fields.js';
import { loadDefaults } from '../common/load-data.js';

export interface BudgetConfig {
  budget: number;
  regen_per_minute: number;
  points: Record<FindingSeverity, number>;
  reversible_factor: number;
  count_phases: Phase[];
  warn_fraction: number;
  warn_severity: FindingSeverity;
  exhausted_severity: FindingSeverity;
}

const FIELDS = ['budget', 'regen_per_minute', 'points', 'reversible_factor', 'count_phases', 'warn_fraction', 'warn_severity', 'exhausted_severity'] as const;
const PHASES: readonly Phase[] = ['intent', 'execution'];

/** Reads `raw` over `base`, reporting every wrong field; without a base every field must be given. */
export function validateBudgetConfig(raw: unknown, base?: BudgetConfig): ConfigCheck<BudgetConfig> {
  const problems: string[] = [];
  const f = new Fields(raw, '', FIELDS, problems);
  const config: BudgetConfig = {
    budget: f.number('budget', base?.budget, { above: 0 }),
    regen_per_minute: f.number('regen_per_minute', base?.regen_per_minute, { min: 0 }),
    points: f.numbers('points', FINDING_SEVERITIES, base?.points, { min: 0 }),
    reversible_factor: f.number('reversible_factor', base?.reversible_factor, { min: 0 }),
    count_phases: f.oneOfList('count_phases', base?.count_phases, PHASES),
    warn_fraction: f.number('warn_fraction', base?.warn_fraction, { min: 0, max: 1 }),
    warn_severity: f.oneOf('warn_severity', base?.warn_severity, FINDING_SEVERITIES),
    exhausted_severity: f.oneOf('exhausted_severity', base?.exhausted_severity, FINDING_SEVERITIES),
  };
  return { config, problems };
}

export const BUDGET_DEFAULTS: BudgetConfig = loadDefaults(new URL('./defaults.yaml', import.meta.url), validateBudgetConfig);

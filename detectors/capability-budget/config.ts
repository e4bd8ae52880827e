/**
 * Capability budget config: the budget a session starts with, how fast it regenerates, what each
 * destructive action costs by severity, and the thresholds that report. Defaults live in
 * `defaults.yaml`; `validateBudgetConfig` merges a partial config over a base and reports every
 * wrong field.
 */
import type { Phase } from '../../ingest/audit-event.js';
import type { FindingSeverity } from '../finding.js';
import { checkNumber, checkOneOf, checkSeverity, checkSeverityNumbers, checkStringList } from '../policy/config-checks.js';
import { configValidator, loadDefaults } from '../policy/detector-config.js';

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

export function checkBudgetConfig(c: BudgetConfig, problems: string[]): void {
  checkNumber(problems, 'budget', c.budget, { above: 0 });
  checkNumber(problems, 'regen_per_minute', c.regen_per_minute, { min: 0 });
  checkSeverityNumbers(problems, 'points', c.points, { min: 0 });
  checkNumber(problems, 'reversible_factor', c.reversible_factor, { min: 0 });
  if (checkStringList(problems, 'count_phases', c.count_phases)) {
    c.count_phases.forEach((p, i) => checkOneOf(problems, `count_phases[${i}]`, p, ['intent', 'execution'] as const));
  }
  checkNumber(problems, 'warn_fraction', c.warn_fraction, { min: 0, max: 1 });
  checkSeverity(problems, 'warn_severity', c.warn_severity);
  checkSeverity(problems, 'exhausted_severity', c.exhausted_severity);
}

export const BUDGET_DEFAULTS: BudgetConfig = loadDefaults(new URL('./defaults.yaml', import.meta.url), checkBudgetConfig);

export const validateBudgetConfig = configValidator(checkBudgetConfig);

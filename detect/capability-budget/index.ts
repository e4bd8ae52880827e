/**
 * The capability-budget detector as the engine and the policy loader know it. Budgets per
 * tenant and agent come from policy overrides of this detector's config.
 */
import type { DetectorFactory } from '../detector.js';
import { CapabilityBudgetDetector } from './capability-budget.js';
import { BUDGET_DEFAULTS, validateBudgetConfig, type BudgetConfig } from './config.js';

export const capabilityBudgetFactory: DetectorFactory<BudgetConfig> = {
  name: 'capability_budget',
  defaults: BUDGET_DEFAULTS,
  validate: validateBudgetConfig,
  create: () => new CapabilityBudgetDetector(),
};

export type { BudgetConfig } from './config.js';

/**
 * Action classification by structure: shell and SQL are parsed, tools are read through tool
 * knowledge, and YAML rules (Falco-style lists, rules and tuning hooks) decide the action
 * class, severity, reversibility, blast radius and targets. See rules/ for the knowledge.
 */
export { createClassifier, DEFAULT_RULES_DIR, type ClassifierOptions } from './create-classifier.js';
export { loadRules, buildRuleSet, RULES_INVALID, type RuleDocument } from './load-rules.js';
export type { Condition, Rule, RuleSet, Tuning } from './rule-schema.js';
export type { ActionInput, BlastRadius, Classification, Classifier, RuleMatch } from './classification.js';

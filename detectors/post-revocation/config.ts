/**
 * Activity-after-revocation config: the severity reported, the repeat-suppression window and the
 * phases that count. Defaults live in `defaults.yaml`.
 */
import type { Phase } from '../../ingest/audit-event.js';
import type { FindingSeverity } from '../finding.js';
import { checkNumber, checkOneOf, checkSeverity, checkStringList } from '../policy/config-checks.js';
import { configValidator, loadDefaults } from '../policy/detector-config.js';

export interface PostRevocationConfig {
  severity: FindingSeverity;
  repeat_suppress_ms: number;
  phases: Phase[];
}

export function checkPostRevocationConfig(c: PostRevocationConfig, problems: string[]): void {
  checkSeverity(problems, 'severity', c.severity);
  checkNumber(problems, 'repeat_suppress_ms', c.repeat_suppress_ms, { min: 0, integer: true });
  if (checkStringList(problems, 'phases', c.phases)) {
    c.phases.forEach((p, i) => checkOneOf(problems, `phases[${i}]`, p, ['intent', 'execution', 'session'] as const));
  }
}

export const POST_REVOCATION_DEFAULTS: PostRevocationConfig = loadDefaults(
  new URL('./defaults.yaml', import.meta.url),
  checkPostRevocationConfig,
);

export const validatePostRevocationConfig = configValidator(checkPostRevocationConfig);

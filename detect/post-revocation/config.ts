/**
 * Activity-after-revocation config: the severity reported, the repeat-suppression window and the
 * phases that count. Defaults live in `defaults.yaml`, read through the same validation.
 */
import type { Phase } from '../../model/audit-event.js';
import type { ConfigCheck } from '../detector.js';
import { FINDING_SEVERITIES, type FindingSeverity } from '../../model/finding.js';
import { Fields } from '../common/config-fields.js';
import { loadDefaults } from '../common/load-data.js';

export interface PostRevocationConfig {
  severity: FindingSeverity;
  repeat_suppress_ms: number;
  phases: Phase[];
}

const FIELDS = ['severity', 'repeat_suppress_ms', 'phases'] as const;
const PHASES: readonly Phase[] = ['intent', 'execution', 'session'];

/** Reads `raw` over `base`, reporting every wrong field; without a base every field must be given. */
export function validatePostRevocationConfig(raw: unknown, base?: PostRevocationConfig): ConfigCheck<PostRevocationConfig> {
  const problems: string[] = [];
  const f = new Fields(raw, '', FIELDS, problems);
  const config: PostRevocationConfig = {
    severity: f.oneOf('severity', base?.severity, FINDING_SEVERITIES),
    repeat_suppress_ms: f.number('repeat_suppress_ms', base?.repeat_suppress_ms, { min: 0, integer: true }),
    phases: f.oneOfList('phases', base?.phases, PHASES),
  };
  return { config, problems };
}

export const POST_REVOCATION_DEFAULTS: PostRevocationConfig = loadDefaults(new URL('./defaults.yaml', import.meta.url), validatePostRevocationConfig);

/**
 * scope_drift: actions that reach outside the session's scope — declared (allow/deny from the
 * session, policy or API) or learned from the session's first actions. See README.md.
 */
import type { DetectorFactory } from '../detector.js';
import { SCOPE_DRIFT_DEFAULTS, validateScopeDrift, type ScopeDriftConfig } from './config.js';
import { createScopeDriftDetector } from './detector.js';

export type { ScopeDriftConfig } from './config.js';
export { SCOPE_DRIFT_DEFAULTS, validateScopeDrift } from './config.js';
export { createScopeDriftDetector } from './detector.js';

export const scopeDriftFactory: DetectorFactory<ScopeDriftConfig> = {
  name: 'scope_drift',
  defaults: SCOPE_DRIFT_DEFAULTS,
  validate: validateScopeDrift,
  create: createScopeDriftDetector,
};

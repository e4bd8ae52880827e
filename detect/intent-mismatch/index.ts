/**
 * intent_mismatch: executions that differ from the intent announced before them (another
 * command, more targets, more impact, a denied call run anyway), and — where policy requires
 * receipts — executions nobody announced. See README.md.
 */
import type { DetectorFactory } from '../detector.js';
import { INTENT_MISMATCH_DEFAULTS, validateIntentMismatch, type IntentMismatchConfig } from './config.js';
import { createIntentMismatchDetector } from './detector.js';

export type { IntentMismatchConfig } from './config.js';
export { INTENT_MISMATCH_DEFAULTS, validateIntentMismatch } from './config.js';
export { createIntentMismatchDetector } from './detector.js';

export const intentMismatchFactory: DetectorFactory<IntentMismatchConfig> = {
  name: 'intent_mismatch',
  defaults: INTENT_MISMATCH_DEFAULTS,
  validate: validateIntentMismatch,
  create: createIntentMismatchDetector,
};

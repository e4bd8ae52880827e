/**
 * Every detector Warden runs, as factories: the policy loader validates configs against them
 * and the engine creates one instance of each, running them in this order for every event.
 * Adding a detector is adding it here.
 */
import { capabilityBudgetFactory } from './capability-budget/index.js';
import type { DetectorFactory } from './detector.js';
import { destructiveBurstFactory } from './destructive-burst/index.js';
import { goalDeviationFactory } from './goal-deviation/index.js';
import { intentMismatchFactory } from './intent-mismatch/index.js';
import { postRevocationFactory } from './post-revocation/index.js';
import { previewBeforeApplyFactory } from './preview-before-apply/index.js';
import { scopeDriftFactory } from './scope-drift/index.js';

/** A factory whose config type the caller does not know (each validates its own). */
export type AnyDetectorFactory = DetectorFactory<unknown>;

export const DETECTOR_FACTORIES: readonly AnyDetectorFactory[] = [
  postRevocationFactory,
  destructiveBurstFactory,
  capabilityBudgetFactory,
  previewBeforeApplyFactory,
  scopeDriftFactory,
  goalDeviationFactory,
  intentMismatchFactory,
];

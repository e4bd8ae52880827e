/**
 * The destructive-burst detector as the engine and the policy loader know it: name, defaults,
 * validation and a constructor. One detector instance serves every session (per-session state
 * lives in the session's slot; per-agent baselines in the instance).
 */
import type { DetectorFactory } from '../detector.js';
import { BURST_DEFAULTS, validateBurstConfig, type BurstConfig } from './config.js';
import { DestructiveBurstDetector } from './destructive-burst.js';

export const destructiveBurstFactory: DetectorFactory<BurstConfig> = {
  name: 'destructive_burst',
  defaults: BURST_DEFAULTS,
  validate: validateBurstConfig,
  create: () => new DestructiveBurstDetector(),
};

export type { BurstConfig } from './config.js';

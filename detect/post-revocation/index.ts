/**
 * The activity-after-revocation detector as the engine and the policy loader know it.
 */
import type { DetectorFactory } from '../detector.js';
import { POST_REVOCATION_DEFAULTS, validatePostRevocationConfig, type PostRevocationConfig } from './config.js';
import { PostRevocationDetector } from './post-revocation.js';

export const postRevocationFactory: DetectorFactory<PostRevocationConfig> = {
  name: 'post_revocation_activity',
  defaults: POST_REVOCATION_DEFAULTS,
  validate: validatePostRevocationConfig,
  create: () => new PostRevocationDetector(),
};

export type { PostRevocationConfig } from './config.js';

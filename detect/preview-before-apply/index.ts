/**
 * The preview-before-apply detector as the engine and the policy loader know it.
 */
import type { DetectorFactory } from '../detector.js';
import { PREVIEW_DEFAULTS, validatePreviewConfig, type PreviewConfig } from './config.js';
import { PreviewBeforeApplyDetector } from './preview-before-apply.js';

export const previewBeforeApplyFactory: DetectorFactory<PreviewConfig> = {
  name: 'preview_before_apply',
  defaults: PREVIEW_DEFAULTS,
  validate: validatePreviewConfig,
  create: () => new PreviewBeforeApplyDetector(),
};

export type { PreviewConfig } from './config.js';

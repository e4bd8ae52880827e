/**
 * intent_mismatch config: whether receipts are required, how long an intent waits for its
 * execution, how executions are paired without a call id, when commands differ, and the flag
 * lists of defaults.yaml. The defaults are defaults.yaml read through the same `validate` a
 * policy override goes through.
 */
import type { ConfigCheck } from '../detector.js';
import { Fields } from '../common/config-fields.js';
import { loadDefaults } from '../common/load-data.js';

export interface IntentMismatchConfig {
  /** An execution without a prior intent is a finding (medium; high if destructive). */
  require_receipts: boolean;
  /** Action classes that need no receipt. */
  receipt_exempt_classes: string[];
  /** Milliseconds an intent waits for its execution before it expires silently. */
  window_ms: number;
  max_pending: number;
  max_matched: number;
  /** Oldest unpaired intents considered when pairing without a call id. */
  pair_window: number;
  /** Least command similarity (token Jaccard) to pair without a call id. */
  pair_min_similarity: number;
  /** Commands less similar than this differ from the intent. */
  command_similarity_min: number;
  benign_flags: string[];
  safety_flags: string[];
}

const FIELDS = ['require_receipts', 'receipt_exempt_classes', 'window_ms', 'max_pending', 'max_matched', 'pair_window',
  'pair_min_similarity', 'command_similarity_min', 'benign_flags', 'safety_flags'] as const;

const FALLBACK: IntentMismatchConfig = {
  require_receipts: false, receipt_exempt_classes: [], window_ms: 600_000, max_pending: 64, max_matched: 256, pair_window: 8,
  pair_min_similarity: 0.3, command_similarity_min: 0.6, benign_flags: [], safety_flags: [],
};

export function validateIntentMismatch(raw: unknown, base: IntentMismatchConfig): ConfigCheck<IntentMismatchConfig> {
  const problems: string[] = [];
  const f = new Fields(raw, '', FIELDS, problems);
  const count = (name: 'max_pending' | 'max_matched' | 'pair_window') => f.number(name, base[name], { min: 1, max: 100_000, integer: true });
  const config: IntentMismatchConfig = {
    require_receipts: f.boolean('require_receipts', base.require_receipts),
    receipt_exempt_classes: f.strings('receipt_exempt_classes', base.receipt_exempt_classes),
    window_ms: f.number('window_ms', base.window_ms, { min: 1, max: 7 * 24 * 3_600_000, integer: true }),
    max_pending: count('max_pending'),
    max_matched: count('max_matched'),
    pair_window: count('pair_window'),
    pair_min_similarity: f.number('pair_min_similarity', base.pair_min_similarity, { min: 0, max: 1 }),
    command_similarity_min: f.number('command_similarity_min', base.command_similarity_min, { min: 0, max: 1 }),
    benign_flags: f.strings('benign_flags', base.benign_flags),
    safety_flags: f.strings('safety_flags', base.safety_flags),
  };
  if (config.pair_window > config.max_pending) f.problem('pair_window', `must not exceed max_pending (${config.max_pending})`);
  return { config, problems };
}

export const INTENT_MISMATCH_DEFAULTS: IntentMismatchConfig = loadDefaults(new URL('./defaults.yaml', import.meta.url), (raw) => validateIntentMismatch(raw, FALLBACK));

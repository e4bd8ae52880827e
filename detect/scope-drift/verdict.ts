/**
 * A verdict: one target judged against the scope, before it becomes a finding. The detector
 * keeps the worst verdict of an event (and counts the rest) and reports each target area once
 * per severity, so an agent editing twenty files in a foreign directory yields one finding.
 */
import type { FindingSeverity } from '../../model/finding.js';

export type DriftReason = 'deny' | 'outside_allow' | 'learned';

export interface Verdict {
  reason: DriftReason;
  severity: FindingSeverity;
  /** 0..1 for the finding. */
  score: number;
  /** The target as shown to a person. */
  target: string;
  /** Dedupe key: the area the target lies in. */
  area: string;
  /** The sentence(s) after the action description: why this target drifts, with the numbers. */
  why: string;
  /** Why it matters in a few words, for the finding's `why` (the pattern it matched); absent: the data file's. */
  short?: string;
}

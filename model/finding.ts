/**
 * Finding: what a detector reports (as the operator API serves it: `GET /api/v1/findings`).
 * Detectors return drafts; the engine
 * fills identity, time and a deterministic id (the same evidence yields the same id, so a
 * replay or a rebuild after restart never creates a second finding for one event).
 */
import type { Severity } from './audit-event.js';

export type FindingSeverity = Exclude<Severity, 'none'>;

export const FINDING_SEVERITIES: readonly FindingSeverity[] = ['low', 'medium', 'high', 'critical'];

export const SEVERITY_RANK: Readonly<Record<Severity, number>> = { none: 0, low: 1, medium: 2, high: 3, critical: 4 };

export type DetectorName =
  | 'scope_drift'
  | 'destructive_burst'
  | 'goal_deviation'
  | 'intent_mismatch'
  | 'post_revocation_activity'
  | 'capability_budget'
  | 'preview_before_apply';

/** Every detector name once (a Record, so the compiler rejects a missing or unknown one). */
const DETECTOR_NAME_SET: Readonly<Record<DetectorName, true>> = {
  scope_drift: true,
  destructive_burst: true,
  goal_deviation: true,
  intent_mismatch: true,
  post_revocation_activity: true,
  capability_budget: true,
  preview_before_apply: true,
};

export const DETECTOR_NAMES = Object.keys(DETECTOR_NAME_SET) as readonly DetectorName[];

export interface Finding {
  id: string;
  tenant: string;
  session_id: string;
  agent_id: string;
  detector: DetectorName;
  severity: FindingSeverity;
  /** 0..1: how sure / how far past the threshold. */
  score: number;
  /** One line a person can act on. */
  title: string;
  /** Why, in words, with the numbers. */
  explanation: string;
  /** Event ids that support the finding (the triggering event last). */
  evidence: string[];
  /**
   * Which rule: the detector's check (`scope_drift/deny`, `goal_deviation/escalation`; the
   * detector's name when it has one check) and, when the classifier rated the triggering action,
   * its rule ids and action class after ` · ` (`rm_recursive (fs.delete)`).
   */
  rule: string;
  /** The target that matters (the triggering action's first, or the one the detector judged); '' when none. */
  target: string;
  /** Why that target or action matters, in a few words (detect/explain/alternatives.yaml). */
  why: string;
  /** What would have been fine instead: one short sentence to the agent; '' when none. */
  instead: string;
  /** RFC 3339 with nanoseconds. */
  at: string;
}

/** What a detector returns; the engine adds identity, time and the explanation (`rule`…`instead`). */
export type FindingDraft = Pick<Finding, 'severity' | 'score' | 'title' | 'explanation' | 'evidence'> & {
  /** The detector's check that fired (`deny`, `escalation`), when it has several. */
  check?: string;
  /** The target the detector judged, when it is not the action's first. */
  target?: string;
  /** Why that target matters, when the detector knows more than the data file (the pattern it matched). */
  why?: string;
};

export function atLeast(severity: Severity, floor: Severity): boolean {
  return SEVERITY_RANK[severity] >= SEVERITY_RANK[floor];
}

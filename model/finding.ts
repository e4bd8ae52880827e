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
  /** RFC 3339 with nanoseconds. */
  at: string;
}

export type FindingDraft = Pick<Finding, 'severity' | 'score' | 'title' | 'explanation' | 'evidence'>;

export function atLeast(severity: Severity, floor: Severity): boolean {
  return SEVERITY_RANK[severity] >= SEVERITY_RANK[floor];
}

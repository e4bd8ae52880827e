/**
 * Learned scope: how far an action's targets move from the working set the session built in
 * its first actions. Per target: score = distance × impact × sensitivity, where impact is the
 * action's weight (read, change or destructive, plus a severity bonus) and sensitivity the
 * heaviest sensitive kind the target belongs to (a sensitive target outside the working set is
 * at least `sensitive_min` away). A destructive cleanup that reaches a path outside the working
 * set counts at least as the medium threshold. A destructive action on a kind in
 * `write_root_kinds` (paths) is measured from the anchors the session wrote in: a read earlier
 * in the session does not make a deletion there in scope. Medium and high come from the
 * thresholds.
 */
import type { AuditEvent } from '../../model/audit-event.js';
import type { FindingSeverity } from '../../model/finding.js';
import { classMatchesAny } from '../common/class-patterns.js';
import { fmt } from '../common/actions.js';
import { matchesAny } from '../common/globs.js';
import type { ScopeDriftConfig } from './config.js';
import type { EventTarget } from './event-targets.js';
import { sensitivityOf } from './sensitive.js';
import type { Verdict } from './verdict.js';
import type { WorkingSet } from './working-set.js';

export interface Impact {
  value: number;
  words: string;
}

/** Whether an action only reads (not destructive, of a read class): what it touches is not a write root. */
export function isReadOnly(event: AuditEvent, config: ScopeDriftConfig): boolean {
  return !event.destructive && classMatchesAny(config.impact.read_classes, event.action_class);
}

export function impactOf(event: AuditEvent, config: ScopeDriftConfig): Impact {
  const im = config.impact;
  const bonus = im.severity_bonus[event.severity];
  const sev = event.severity === 'none' ? '' : ` of ${event.severity} severity`;
  if (event.destructive) return { value: im.destructive + bonus, words: `destructive${sev}` };
  if (classMatchesAny(im.read_classes, event.action_class)) return { value: im.read + bonus, words: `a read${sev}` };
  return { value: im.change + bonus, words: `a change${sev}` };
}

/** Scores one target; undefined when it stays inside the working set or below the medium threshold. */
export function scoreTarget(event: AuditEvent, t: EventTarget, ws: WorkingSet, config: ScopeDriftConfig, impact: Impact): Verdict | undefined {
  if (matchesAny(config.known_targets, [t.listSpelling, t.shown])) return undefined;
  const d = ws.distance(t.parsed, event.destructive && config.write_root_kinds.includes(t.parsed.kind));
  if (d.value === 0) return undefined;
  const sens = sensitivityOf(config.sensitive_kinds, [t.listSpelling]);
  const weight = sens?.weight ?? 1;
  const distance = sens !== undefined ? Math.max(d.value, config.distance.sensitive_min) : d.value;
  const raw = distance * impact.value * weight;
  // The cleanup rule is for directories the session never touched; one it read is scored as is.
  const cleanup = event.destructive && t.parsed.kind === 'path' && d.readOnly !== true && classMatchesAny(config.cleanup_classes, event.action_class);
  const { medium, high } = config.thresholds;
  const effective = cleanup ? Math.max(raw, medium) : raw;
  if (effective < medium) return undefined;
  const severity: FindingSeverity = effective >= high ? 'high' : 'medium';
  const sensText = sens === undefined ? 'not a sensitive kind (×1.00)' : `${sens.kind} (${sens.because}, ×${fmt(weight)})`;
  const floorText = sens !== undefined && distance > d.value ? `, raised to ${fmt(distance)} because it is sensitive` : '';
  let why = `${t.shown} is ${d.relation} (distance ${fmt(d.value)}${floorText}); the action is ${impact.words} (impact ${fmt(impact.value)}); ` +
    `the target is ${sensText}. Score ${fmt(distance)} × ${fmt(impact.value)} × ${fmt(weight)} = ${fmt(raw)}`;
  why += cleanup && raw < medium
    ? `; a cleanup that reaches a directory the session never worked in is drift, so it counts as the medium threshold ${fmt(medium)}.`
    : ` (medium ≥ ${fmt(medium)}, high ≥ ${fmt(high)}).`;
  return { reason: 'learned', severity, score: Math.min(1, effective / (high * 1.25)), target: t.shown, area: ws.areaKey(t.parsed), why };
}

export function scoreLearned(event: AuditEvent, targets: EventTarget[], ws: WorkingSet, config: ScopeDriftConfig): Verdict[] {
  const impact = impactOf(event, config);
  const out: Verdict[] = [];
  for (const t of targets) {
    const v = scoreTarget(event, t, ws, config, impact);
    if (v !== undefined) out.push(v);
  }
  return out;
}

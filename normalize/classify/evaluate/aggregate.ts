/**
 * Combines the rule matches of all subjects of one action into a Classification: the most
 * severe match decides the class; destructive if any match is; reversible only if every match
 * is; the blast radius is the widest (at least `wildcard` when a matched subject's targets
 * are unknown); targets are the union of every subject's targets, read-only ones included.
 */
import type { Severity } from '../../../model/audit-event.js';
import type { BlastRadius, Classification, RuleMatch } from '../classification.js';
import { BLAST_RADII, SEVERITIES } from '../validate-rule.js';

export const sevRank = (s: Severity): number => SEVERITIES.indexOf(s);
const blastRank = (b: BlastRadius): number => BLAST_RADII.indexOf(b);

export function classRank(c: string): number {
  if (c === 'none') return 0;
  if (c === 'read') return 1;
  return 2;
}

export interface SubjectOutcome {
  matches: RuleMatch[];
  defaultClass: string;
  targets: string[];
  unknownTargets: boolean;
}

export function aggregate(outcomes: SubjectOutcome[], escalate: boolean): Classification {
  const matches = outcomes.flatMap((o) => o.matches);
  const targets = [...new Set(outcomes.flatMap((o) => o.targets))];
  if (matches.length === 0) {
    let cls = 'none';
    for (const o of outcomes) if (classRank(o.defaultClass) > classRank(cls)) cls = o.defaultClass;
    return { action_class: cls, destructive: false, reversible: true, severity: 'none', blast_radius: 'none', targets, matches };
  }
  const sorted = [...matches].sort((a, b) => sevRank(b.severity) - sevRank(a.severity) || Number(b.destructive === true) - Number(a.destructive === true));
  const top = sorted[0]!;
  let severity = top.severity;
  const destructive = matches.some((m) => m.destructive === true);
  if (escalate && destructive && sevRank(severity) < sevRank('critical')) severity = SEVERITIES[sevRank(severity) + 1]!;
  let blast: BlastRadius = 'none';
  for (const o of outcomes) {
    for (const m of o.matches) if (blastRank(m.blast_radius) > blastRank(blast)) blast = m.blast_radius;
    if (o.matches.some((m) => m.destructive === true) && o.unknownTargets && blastRank(blast) < blastRank('wildcard')) blast = 'wildcard';
  }
  return {
    action_class: top.action_class,
    destructive,
    reversible: matches.every((m) => m.reversible),
    severity,
    blast_radius: blast,
    targets,
    matches: sorted,
  };
}

/**
 * What a finding or a gate decision says about itself beyond its title: which rule, which target,
 * why that target or action matters, and what would have been fine instead — looked up in the
 * data file (alternatives.yaml) by the action's class and the detector's check.
 *
 * - An action is *notable* when the classifier rated it destructive or at least medium; only a
 *   notable action gets the class's texts. A benign action on its own gets nothing (all '').
 * - `why` joins with '; ' what the detector saw (its own words for this target when it has them,
 *   else why its check matters), why the target matters (the class's entry for targets like it,
 *   else the target's environment) and what the action does.
 * - `instead` is the class's alternative, else the detector's; a detector whose point is how the
 *   action was done (`instead_first`) puts its own first.
 * Texts come from the data file and from the (already redacted) event's targets only.
 */
import type { AuditEvent } from '../../model/audit-event.js';
import { SEVERITY_RANK, type DetectorName, type FindingDraft } from '../../model/finding.js';
import { environmentsIn } from '../common/environments.js';
import { matchesAny } from '../common/globs.js';
import { ALTERNATIVES, type Alternatives } from './load-alternatives.js';

export interface Explanation {
  rule: string;
  target: string;
  why: string;
  instead: string;
}

export const NO_EXPLANATION: Explanation = Object.freeze({ rule: '', target: '', why: '', instead: '' });

type ActionFacts = Pick<AuditEvent, 'action_class' | 'destructive' | 'severity' | 'rule_ids' | 'targets'>;

/** Destructive, or rated at least medium by the classifier. */
export function isNotable(event: Pick<AuditEvent, 'destructive' | 'severity'>): boolean {
  return event.destructive || SEVERITY_RANK[event.severity] >= SEVERITY_RANK.medium;
}

/** `git_force_push_protected (git.force_push)`: the classifier's rules and class, '' when none. */
function classifierRule(event: ActionFacts): string {
  if (!isNotable(event) || event.rule_ids.length === 0) return '';
  return `${event.rule_ids.join(', ')} (${event.action_class})`;
}

/** Why this target matters: the class's entry for targets like it, else its environment. */
function targetWhy(event: ActionFacts, target: string, table: Alternatives): string {
  if (target === '') return '';
  const entry = table.actions.get(event.action_class);
  const hit = entry?.targets.find((t) => matchesAny(t.match, [target]));
  if (hit) return hit.why;
  for (const env of environmentsIn(target, false)) {
    const why = table.environments.get(env);
    if (why !== undefined) return why;
  }
  return '';
}

function join(...parts: string[]): string {
  return parts.filter((p) => p !== '').join('; ');
}

/** The action alone (the gate's command floor): the classifier's rule, its first target, why, instead. */
export function explainAction(event: ActionFacts, table: Alternatives = ALTERNATIVES): Explanation {
  if (!isNotable(event)) return NO_EXPLANATION;
  const entry = table.actions.get(event.action_class);
  const target = event.targets[0] ?? '';
  return {
    rule: classifierRule(event),
    target,
    why: join(targetWhy(event, target, table), entry?.why ?? ''),
    instead: entry?.instead ?? '',
  };
}

/** A detector's finding on `event`: the detector's check, the classifier's rule, target, why, instead. */
export function explainFinding(draft: Pick<FindingDraft, 'check' | 'target' | 'why'>, detector: DetectorName, event: ActionFacts, table: Alternatives = ALTERNATIVES): Explanation {
  const d = table.detectors.get(detector);
  const check = draft.check ?? '';
  const checkWhy = (check !== '' ? d?.checks.get(check) : undefined) ?? d?.why ?? '';
  const notable = isNotable(event);
  const entry = notable ? table.actions.get(event.action_class) : undefined;
  const target = draft.target ?? event.targets[0] ?? '';
  const classInstead = entry?.instead ?? '';
  const detectorInstead = d?.instead ?? '';
  return {
    rule: [check === '' ? detector : `${detector}/${check}`, classifierRule(event)].filter((p) => p !== '').join(' · '),
    target,
    why: draft.why !== undefined ? join(draft.why, entry?.why ?? '') : join(checkWhy, notable ? targetWhy(event, target, table) : '', entry?.why ?? ''),
    instead: d?.insteadFirst ? detectorInstead || classInstead : classInstead || detectorInstead,
  };
}

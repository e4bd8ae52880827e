/**
 * Classification of a tool call, on the RAW command and arguments (secrets are redacted only
 * afterwards, so redaction can never hide what a command does). Session-level and other
 * non-tool records are not classified: they get class `none`, not destructive, severity `none`.
 * Targets are the harness-sent ones followed by the classifier's derived ones, de-duplicated.
 */
import type { Severity } from '../model/audit-event.js';
import type { ActionInput, Classifier } from './classify/classification.js';

export interface ActionVerdict {
  action_class: string;
  destructive: boolean;
  reversible: boolean;
  severity: Severity;
  rule_ids: string[];
  targets: string[];
}

export function unclassified(targets: string[]): ActionVerdict {
  return { action_class: 'none', destructive: false, reversible: true, severity: 'none', rule_ids: [], targets };
}

export function classifyAction(classifier: Classifier, input: ActionInput, sentTargets: string[]): ActionVerdict {
  const c = classifier.classify(input);
  const targets = sentTargets.slice();
  for (const t of c.targets) if (!targets.includes(t)) targets.push(t);
  const ruleIds: string[] = [];
  for (const m of c.matches) if (!ruleIds.includes(m.rule_id)) ruleIds.push(m.rule_id);
  return {
    action_class: c.action_class,
    destructive: c.destructive,
    reversible: c.reversible,
    severity: c.severity,
    rule_ids: ruleIds,
    targets,
  };
}

/**
 * Applies user tuning to a loaded rule set without editing the rule files: extra list entries
 * (including `user_known_<rule>` lists that silence a rule for matching targets), switched-off
 * rules and extra exception conditions. Unknown rule ids and bad conditions are reported all at
 * once, like rule-file problems.
 */
import { PermanentError } from '../../lib/errors.js';
import { RULES_INVALID } from './load-rules.js';
import type { RuleSet, Tuning } from './rule-schema.js';
import { validateCondition } from './validate-condition.js';

export function applyTuning(rules: RuleSet, tuning: Tuning | undefined): RuleSet {
  if (!tuning) return rules;
  const issues: string[] = [];
  const ids = new Set(rules.rules.map((r) => r.id));
  const lists: Record<string, string[]> = { ...rules.lists };
  for (const [name, items] of Object.entries(tuning.lists ?? {})) {
    if (!Array.isArray(items) || items.some((i) => typeof i !== 'string')) issues.push(`tuning.lists.${name}: expected a list of strings`);
    else lists[name] = [...(lists[name] ?? []), ...items];
  }
  const listNames = new Set(Object.keys(lists));
  const disabled = new Set(tuning.disabled_rules ?? []);
  for (const id of disabled) if (!ids.has(id)) issues.push(`tuning.disabled_rules: unknown rule "${id}"`);
  const extra = new Map<string, ReturnType<typeof validateCondition>[]>();
  for (const [id, conds] of Object.entries(tuning.exceptions ?? {})) {
    if (!ids.has(id)) issues.push(`tuning.exceptions: unknown rule "${id}"`);
    if (!Array.isArray(conds)) {
      issues.push(`tuning.exceptions.${id}: expected a list of conditions`);
      continue;
    }
    extra.set(id, conds.map((c, i) => validateCondition(c, `tuning.exceptions.${id}[${i}]`, listNames, issues)));
  }
  if (issues.length > 0) {
    throw new PermanentError(RULES_INVALID, `tuning is invalid:\n- ${issues.join('\n- ')}`, { details: { issues } });
  }
  return {
    ...rules,
    lists,
    rules: rules.rules
      .filter((r) => !disabled.has(r.id))
      .map((r) => (extra.has(r.id) ? { ...r, exceptions: [...r.exceptions, ...extra.get(r.id)!] } : r)),
  };
}

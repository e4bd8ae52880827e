/**
 * Validates one entry of a rule file's `rules:` list: required fields, enumerations (severity,
 * blast radius), the condition and its exceptions. Issues are collected, never thrown.
 */
import type { Severity } from '../../model/audit-event.js';
import type { BlastRadius } from './classification.js';
import type { Condition, Rule } from './rule-schema.js';
import { isRecord, toStringList, validateCondition } from './validate-condition.js';

export const SEVERITIES: readonly Severity[] = ['none', 'low', 'medium', 'high', 'critical'];
export const BLAST_RADII: readonly BlastRadius[] = ['none', 'single', 'multiple', 'recursive', 'wildcard', 'namespace', 'all'];
const RULE_KEYS = new Set([
  'id', 'desc', 'condition', 'action_class', 'severity', 'destructive', 'reversible', 'blast_radius',
  'tags', 'exceptions',
]);
const ID_PATTERN = /^[a-z][a-z0-9_]*$/;

export function validateRule(raw: unknown, where: string, source: string, lists: Set<string>, issues: string[]): Rule | undefined {
  if (!isRecord(raw)) {
    issues.push(`${where}: a rule must be a mapping`);
    return undefined;
  }
  const id = typeof raw.id === 'string' ? raw.id : '';
  const at = id ? `${where} (${id})` : where;
  for (const k of Object.keys(raw)) if (!RULE_KEYS.has(k)) issues.push(`${at}: unknown key "${k}"`);
  if (!ID_PATTERN.test(id)) issues.push(`${at}: id must be snake_case letters, digits and _`);
  if (typeof raw.desc !== 'string' || raw.desc.trim() === '') issues.push(`${at}: desc is required`);
  if (typeof raw.action_class !== 'string' || raw.action_class === '') issues.push(`${at}: action_class is required`);
  if (!SEVERITIES.includes(raw.severity as Severity)) issues.push(`${at}: severity must be one of ${SEVERITIES.join(', ')}`);
  if (!BLAST_RADII.includes(raw.blast_radius as BlastRadius)) issues.push(`${at}: blast_radius must be one of ${BLAST_RADII.join(', ')}`);
  if (typeof raw.reversible !== 'boolean') issues.push(`${at}: reversible must be true or false`);
  if (raw.destructive !== undefined && typeof raw.destructive !== 'boolean') issues.push(`${at}: destructive must be true or false`);
  const tags = raw.tags === undefined ? [] : toStringList(raw.tags);
  if (tags === undefined) issues.push(`${at}: tags must be a list of strings`);
  if (raw.condition === undefined) issues.push(`${at}: condition is required`);
  const condition = validateCondition(raw.condition ?? {}, `${at}.condition`, lists, issues);
  const exceptions: Condition[] = [];
  if (raw.exceptions !== undefined) {
    if (!Array.isArray(raw.exceptions)) issues.push(`${at}.exceptions: expected a list of conditions`);
    else raw.exceptions.forEach((c, i) => exceptions.push(validateCondition(c, `${at}.exceptions[${i}]`, lists, issues)));
  }
  return {
    id,
    desc: typeof raw.desc === 'string' ? raw.desc : '',
    condition,
    action_class: typeof raw.action_class === 'string' ? raw.action_class : 'none',
    severity: (raw.severity as Severity) ?? 'none',
    // A rule that names a severity above none describes harm unless it says otherwise.
    destructive: typeof raw.destructive === 'boolean' ? raw.destructive : raw.severity !== 'none',
    reversible: raw.reversible === true,
    blast_radius: (raw.blast_radius as BlastRadius) ?? 'none',
    tags: tags ?? [],
    exceptions,
    source,
  };
}

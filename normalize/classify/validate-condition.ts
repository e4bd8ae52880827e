/**
 * Checks one rule condition read from YAML and turns it into a typed `Condition`. Problems are
 * pushed onto the caller's issue list (never thrown) so a rule file reports everything at once.
 */
import type { Condition } from './rule-schema.js';

type Issues = string[];

const STRING_LIST_KEYS = [
  'command', 'subcommand', 'has_all_flags', 'has_any_flag', 'has_no_flag', 'sql_statement',
  'sql_object', 'tool', 'tool_kind', 'http_method', 'fed_by',
] as const;
const LIST_REF_KEYS = ['any_arg', 'first_arg', 'any_target_in', 'all_targets_in', 'any_ref_in', 'any_input_in'] as const;
const BOOL_KEYS = ['any_target_unknown', 'no_ref', 'sql_has_where', 'url_is_collection', 'has_bulk_arguments', 'command_unknown'] as const;
const KNOWN_KEYS = new Set<string>([...STRING_LIST_KEYS, ...LIST_REF_KEYS, ...BOOL_KEYS, 'option_is', 'any_of', 'unless']);

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function toStringList(v: unknown): string[] | undefined {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number')) return v.map(String);
  return undefined;
}

/** Validates `raw` as a condition; `where` prefixes messages; `lists` are the known list names. */
export function validateCondition(raw: unknown, where: string, lists: Set<string>, issues: Issues): Condition {
  const out: Condition = {};
  if (!isRecord(raw)) {
    issues.push(`${where}: condition must be a mapping`);
    return out;
  }
  if (Object.keys(raw).length === 0) issues.push(`${where}: condition is empty`);
  for (const [key, value] of Object.entries(raw)) {
    if (!KNOWN_KEYS.has(key)) {
      issues.push(`${where}: unknown condition key "${key}"`);
      continue;
    }
    if ((STRING_LIST_KEYS as readonly string[]).includes(key)) {
      const list = toStringList(value);
      if (list === undefined || list.length === 0) issues.push(`${where}.${key}: expected a string or a non-empty list of strings`);
      else (out as Record<string, unknown>)[key] = list;
    } else if ((LIST_REF_KEYS as readonly string[]).includes(key)) {
      if (typeof value === 'string') {
        if (!lists.has(value)) issues.push(`${where}.${key}: unknown list "${value}"`);
        (out as Record<string, unknown>)[key] = value;
      } else {
        const list = toStringList(value);
        if (list === undefined || list.length === 0) issues.push(`${where}.${key}: expected a list name or a list of patterns`);
        else (out as Record<string, unknown>)[key] = list;
      }
    } else if ((BOOL_KEYS as readonly string[]).includes(key)) {
      if (typeof value !== 'boolean') issues.push(`${where}.${key}: expected true or false`);
      else (out as Record<string, unknown>)[key] = value;
    } else if (key === 'option_is') {
      if (!isRecord(value)) {
        issues.push(`${where}.option_is: expected a mapping of option -> patterns`);
        continue;
      }
      const opts: Record<string, string[]> = {};
      for (const [name, pats] of Object.entries(value)) {
        const list = toStringList(pats);
        if (list === undefined) issues.push(`${where}.option_is.${name}: expected a string or list of strings`);
        else opts[name] = list;
      }
      out.option_is = opts;
    } else if (key === 'any_of') {
      if (!Array.isArray(value) || value.length === 0) issues.push(`${where}.any_of: expected a non-empty list of conditions`);
      else out.any_of = value.map((c, i) => validateCondition(c, `${where}.any_of[${i}]`, lists, issues));
    } else if (key === 'unless') {
      out.unless = validateCondition(value, `${where}.unless`, lists, issues);
    }
  }
  return out;
}

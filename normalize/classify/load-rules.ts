/**
 * Loads a rule set from a folder of YAML files (`*.yaml`, read in name order) and validates it
 * as a whole: every problem in every file is collected and reported in one PermanentError with
 * code CLASSIFY_RULES_INVALID. Lists with the same name in several files are appended (so a
 * user file can extend `protected_branches`); every rule gets a `user_known_<id>` list,
 * empty unless a file or the tuning fills it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { PermanentError } from '../../lib/errors.js';
import type { CommandSpec, Rule, RuleSet, ToolSpec, WrapperSpec } from './rule-schema.js';
import { isRecord, toStringList } from './validate-condition.js';
import { validateRule } from './validate-rule.js';
import { validateCommand, validateTool, validateWrapper } from './validate-specs.js';

export const RULES_INVALID = 'CLASSIFY_RULES_INVALID';
const FILE_KEYS = new Set(['version', 'lists', 'commands', 'wrappers', 'tools', 'rules', 'bulk_argument_keys']);
const SEMVER = /^\d+\.\d+\.\d+$/;

export interface RuleDocument {
  /** Name used in messages (the file name). */
  source: string;
  text: string;
}

/** Reads every `*.yaml` file of `dir` and builds the rule set (throws on any problem). */
export function loadRules(dir: string): RuleSet {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.yaml') || n.endsWith('.yml')).sort();
  } catch (err) {
    throw new PermanentError(RULES_INVALID, `cannot read rules folder: ${(err as Error).message}`, { cause: err, details: { issues: [`cannot read ${dir}`] } });
  }
  return buildRuleSet(names.map((n) => ({ source: n, text: readFileSync(join(dir, n), 'utf8') })));
}

/** Builds a rule set from YAML texts; every problem found is listed in the error's details. */
export function buildRuleSet(docs: RuleDocument[]): RuleSet {
  const issues: string[] = [];
  const parsed: Array<{ source: string; doc: Record<string, unknown> }> = [];
  for (const { source, text } of docs) {
    try {
      const doc: unknown = parseYaml(text);
      if (!isRecord(doc)) issues.push(`${source}: expected a mapping at the top level`);
      else parsed.push({ source, doc });
    } catch (err) {
      issues.push(`${source}: YAML syntax error: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  if (docs.length === 0) issues.push('no rule files found');

  const lists: Record<string, string[]> = {};
  const versions = new Set<string>();
  for (const { source, doc } of parsed) {
    for (const k of Object.keys(doc)) if (!FILE_KEYS.has(k)) issues.push(`${source}: unknown top-level key "${k}"`);
    if (doc.version !== undefined) {
      if (typeof doc.version !== 'string' || !SEMVER.test(doc.version)) issues.push(`${source}: version must be a string like "1.2.0"`);
      else versions.add(doc.version);
    }
    if (doc.lists === undefined) continue;
    if (!isRecord(doc.lists)) {
      issues.push(`${source}.lists: expected a mapping of name -> items`);
      continue;
    }
    for (const [name, items] of Object.entries(doc.lists)) {
      const list = items === null ? [] : toStringList(items);
      if (list === undefined) issues.push(`${source}.lists.${name}: expected a list of strings`);
      else lists[name] = [...(lists[name] ?? []), ...list];
    }
  }
  if (versions.size === 0) issues.push('no file declares the rule set version (version: "x.y.z")');
  if (versions.size > 1) issues.push(`files declare different versions: ${[...versions].join(', ')}`);

  // Rule ids are needed before conditions are checked, so user_known_<id> lists resolve.
  for (const { doc } of parsed) {
    if (!Array.isArray(doc.rules)) continue;
    for (const r of doc.rules) if (isRecord(r) && typeof r.id === 'string') lists[`user_known_${r.id}`] ??= [];
  }
  const listNames = new Set(Object.keys(lists));

  const commands: CommandSpec[] = [];
  const wrappers: WrapperSpec[] = [];
  const tools: ToolSpec[] = [];
  const rules: Rule[] = [];
  const bulkKeys: string[] = [];
  const seenIds = new Map<string, string>();
  for (const { source, doc } of parsed) {
    for (const [section, sink, check] of [
      ['commands', commands, validateCommand],
      ['wrappers', wrappers, validateWrapper],
      ['tools', tools, validateTool],
    ] as const) {
      const raw = doc[section];
      if (raw === undefined) continue;
      if (!isRecord(raw)) {
        issues.push(`${source}.${section}: expected a mapping`);
        continue;
      }
      for (const [key, spec] of Object.entries(raw)) {
        const v = check(key, spec, `${source}.${section}.${key}`, issues);
        if (v !== undefined) (sink as unknown[]).push(v);
      }
    }
    if (doc.bulk_argument_keys !== undefined) {
      const list = toStringList(doc.bulk_argument_keys);
      if (list === undefined) issues.push(`${source}.bulk_argument_keys: expected a list of strings`);
      else bulkKeys.push(...list);
    }
    if (doc.rules === undefined) continue;
    if (!Array.isArray(doc.rules)) {
      issues.push(`${source}.rules: expected a list`);
      continue;
    }
    doc.rules.forEach((raw, i) => {
      const rule = validateRule(raw, `${source}.rules[${i}]`, source, listNames, issues);
      if (rule === undefined) return;
      const prev = seenIds.get(rule.id);
      if (prev !== undefined && rule.id !== '') issues.push(`${source}.rules[${i}]: duplicate rule id "${rule.id}" (first in ${prev})`);
      seenIds.set(rule.id, source);
      rules.push(rule);
    });
  }

  if (issues.length > 0) {
    throw new PermanentError(RULES_INVALID, `rule set is invalid (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n- ${issues.join('\n- ')}`, { details: { issues } });
  }
  return { version: [...versions][0] ?? '0.0.0', lists, commands, wrappers, tools, rules, bulk_argument_keys: bulkKeys };
}

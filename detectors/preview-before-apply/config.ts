/**
 * Preview-before-apply config: the tools (apply verbs, preview verbs and flags, how a preview is
 * matched to its apply), launchers to peel off, how long a preview counts, and the environment
 * words that set severity. Defaults live in `defaults.yaml`; `tools` is an open mapping, so a
 * policy can add a tool.
 */
import type { Phase } from '../../ingest/audit-event.js';
import type { FindingSeverity } from '../finding.js';
import { checkBoolean, checkNumber, checkOneOf, checkSeverity, checkString, checkStringList } from '../policy/config-checks.js';
import { ENVIRONMENTS } from '../common/environments.js';
import { isPlainObject } from '../policy/config-merge.js';
import { configValidator, loadDefaults } from '../policy/detector-config.js';

export const MATCH_PARTS = ['dir', 'workspace', 'context', 'namespace', 'resource', 'release'] as const;
export type MatchPart = (typeof MATCH_PARTS)[number];

export interface ToolConfig {
  commands: string[];
  /** Verb sequences (leading positional words) that apply. */
  apply: string[][];
  preview?: string[][];
  /** Flags that turn an apply into a preview (`name*` matches a prefix). */
  preview_flags?: string[];
  saved_plan_is_preview?: boolean;
  workspace_select?: string[][];
  /** Flags followed by a separate value word. */
  value_flags?: string[];
  chdir_flags?: string[];
  namespace_flags?: string[];
  context_flags?: string[];
  file_flags?: string[];
  match_on: MatchPart[];
  hint: string;
}

export interface PreviewConfig {
  tools: Record<string, ToolConfig>;
  wrappers: string[][];
  shells: string[];
  preview_valid_ms: number;
  apply_phases: Phase[];
  preview_phases: Phase[];
  /** Canonical environment (see the shared environment lexicon) → severity. */
  severity_by_environment: Record<string, FindingSeverity>;
  unknown_severity: FindingSeverity;
}

const LIST_FIELDS = ['preview_flags', 'value_flags', 'chdir_flags', 'namespace_flags', 'context_flags', 'file_flags'] as const;
const SEQUENCE_FIELDS = ['apply', 'preview', 'workspace_select'] as const;
const TOOL_KEYS = new Set<string>(['commands', 'apply', 'preview', 'preview_flags', 'saved_plan_is_preview', 'workspace_select', 'value_flags', 'chdir_flags', 'namespace_flags', 'context_flags', 'file_flags', 'match_on', 'hint']);

function checkSequences(problems: string[], path: string, value: unknown): void {
  if (!Array.isArray(value) || value.length === 0) {
    problems.push(`${path}: must be a non-empty list of word lists`);
    return;
  }
  value.forEach((seq: unknown, i) => checkStringList(problems, `${path}[${i}]`, seq) && seq.length === 0 && problems.push(`${path}[${i}]: must not be empty`));
}

function checkTool(problems: string[], at: string, t: unknown): void {
  if (!isPlainObject(t)) {
    problems.push(`${at}: must be a mapping`);
    return;
  }
  for (const key of Object.keys(t)) if (!TOOL_KEYS.has(key)) problems.push(`${at}.${key}: unknown key`);
  checkStringList(problems, `${at}.commands`, t.commands);
  for (const f of SEQUENCE_FIELDS) if (f === 'apply' || t[f] !== undefined) checkSequences(problems, `${at}.${f}`, t[f]);
  for (const f of LIST_FIELDS) if (t[f] !== undefined) checkStringList(problems, `${at}.${f}`, t[f]);
  if (t.saved_plan_is_preview !== undefined) checkBoolean(problems, `${at}.saved_plan_is_preview`, t.saved_plan_is_preview);
  if (checkStringList(problems, `${at}.match_on`, t.match_on)) t.match_on.forEach((p, i) => checkOneOf(problems, `${at}.match_on[${i}]`, p, MATCH_PARTS));
  checkString(problems, `${at}.hint`, t.hint);
}

export function checkPreviewConfig(c: PreviewConfig, problems: string[]): void {
  if (!isPlainObject(c.tools)) problems.push('tools: must be a mapping of tool name to tool');
  else for (const [name, t] of Object.entries(c.tools)) checkTool(problems, `tools.${name}`, t);
  if (!Array.isArray(c.wrappers)) problems.push('wrappers: must be a list of word lists');
  else c.wrappers.forEach((w, i) => checkStringList(problems, `wrappers[${i}]`, w));
  checkStringList(problems, 'shells', c.shells);
  checkNumber(problems, 'preview_valid_ms', c.preview_valid_ms, { min: 0, integer: true });
  for (const f of ['apply_phases', 'preview_phases'] as const) {
    if (checkStringList(problems, f, c[f])) c[f].forEach((p, i) => checkOneOf(problems, `${f}[${i}]`, p, ['intent', 'execution'] as const));
  }
  if (!isPlainObject(c.severity_by_environment)) problems.push('severity_by_environment: must be a mapping of environment to severity');
  else {
    for (const [env, s] of Object.entries(c.severity_by_environment)) {
      if (!ENVIRONMENTS.strong.has(env)) problems.push(`severity_by_environment.${env}: unknown environment (${[...ENVIRONMENTS.strong.keys()].join(', ')})`);
      checkSeverity(problems, `severity_by_environment.${env}`, s);
    }
  }
  checkSeverity(problems, 'unknown_severity', c.unknown_severity);
}

export const PREVIEW_DEFAULTS: PreviewConfig = loadDefaults(new URL('./defaults.yaml', import.meta.url), checkPreviewConfig);

export const validatePreviewConfig = configValidator(checkPreviewConfig, { openMaps: ['tools', 'tools.*', 'severity_by_environment'] });

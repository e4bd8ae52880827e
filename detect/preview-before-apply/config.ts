/**
 * Preview-before-apply config: the tools (apply verbs, preview verbs and flags, how a preview is
 * matched to its apply), launchers to peel off, how long a preview counts, and the environment
 * words that set severity. Defaults live in `defaults.yaml`, read through the same validation;
 * `tools` is an open mapping, so a policy can add a tool (or change one of the shipped ones).
 */
import type { Phase } from '../../model/audit-event.js';
import type { ConfigCheck } from '../detector.js';
import { FINDING_SEVERITIES, type FindingSeverity } from '../../model/finding.js';
import { Fields } from '../common/config-fields.js';
import { ENVIRONMENTS } from '../common/environments.js';
import { loadDefaults } from '../common/load-data.js';

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

const FIELDS = ['tools', 'wrappers', 'shells', 'preview_valid_ms', 'apply_phases', 'preview_phases', 'severity_by_environment', 'unknown_severity'] as const;
const TOOL_FIELDS = ['commands', 'apply', 'preview', 'preview_flags', 'saved_plan_is_preview', 'workspace_select', 'value_flags', 'chdir_flags', 'namespace_flags',
  'context_flags', 'file_flags', 'match_on', 'hint'] as const;
const OPTIONAL_SEQUENCES = ['preview', 'workspace_select'] as const;
const OPTIONAL_LISTS = ['preview_flags', 'value_flags', 'chdir_flags', 'namespace_flags', 'context_flags', 'file_flags'] as const;
const PHASES: readonly Phase[] = ['intent', 'execution'];

const isWords = (v: unknown): v is string[] => Array.isArray(v) && v.every((w) => typeof w === 'string' && w !== '');
const isWordLists = (v: unknown): v is string[][] => Array.isArray(v) && v.every(isWords);
/** Verb sequences: at least one, none empty. */
const isSequences = (v: unknown): v is string[][] => isWordLists(v) && v.length > 0 && v.every((s) => s.length > 0);
const SEQUENCES = 'a non-empty list of non-empty word lists';

/** A tool added by policy (no `prev`: every required field must be given) or changed over a shipped one. */
function readTool(t: Fields, prev: ToolConfig | undefined): ToolConfig {
  const tool: ToolConfig = {
    commands: t.strings('commands', prev?.commands),
    apply: t.value('apply', prev?.apply, SEQUENCES, isSequences, []),
    match_on: t.oneOfList('match_on', prev?.match_on, MATCH_PARTS),
    hint: t.string('hint', prev?.hint, { nonEmpty: true }),
  };
  for (const k of OPTIONAL_SEQUENCES) {
    const v = t.has(k) ? t.value(k, prev?.[k], SEQUENCES, isSequences, []) : prev?.[k];
    if (v !== undefined) tool[k] = v;
  }
  for (const k of OPTIONAL_LISTS) {
    const v = t.has(k) ? t.strings(k, prev?.[k]) : prev?.[k];
    if (v !== undefined) tool[k] = v;
  }
  const savedPlan = t.has('saved_plan_is_preview') ? t.boolean('saved_plan_is_preview', prev?.saved_plan_is_preview) : prev?.saved_plan_is_preview;
  if (savedPlan !== undefined) tool.saved_plan_is_preview = savedPlan;
  return tool;
}

function readSeverity(m: Fields, env: string, prev: FindingSeverity | undefined): FindingSeverity {
  if (!ENVIRONMENTS.strong.has(env)) m.problem(env, `unknown environment (${[...ENVIRONMENTS.strong.keys()].join(', ')})`);
  return m.oneOf(env, prev, FINDING_SEVERITIES);
}

/** Reads `raw` over `base`, reporting every wrong field; without a base every field must be given. */
export function validatePreviewConfig(raw: unknown, base?: PreviewConfig): ConfigCheck<PreviewConfig> {
  const problems: string[] = [];
  const f = new Fields(raw, '', FIELDS, problems);
  const config: PreviewConfig = {
    tools: f.entries('tools', base?.tools, (m, name, prev) => readTool(m.object(name, TOOL_FIELDS), prev)),
    wrappers: f.value('wrappers', base?.wrappers, 'a list of word lists', isWordLists, []),
    shells: f.strings('shells', base?.shells),
    preview_valid_ms: f.number('preview_valid_ms', base?.preview_valid_ms, { min: 0, integer: true }),
    apply_phases: f.oneOfList('apply_phases', base?.apply_phases, PHASES),
    preview_phases: f.oneOfList('preview_phases', base?.preview_phases, PHASES),
    severity_by_environment: f.entries('severity_by_environment', base?.severity_by_environment, readSeverity),
    unknown_severity: f.oneOf('unknown_severity', base?.unknown_severity, FINDING_SEVERITIES),
  };
  return { config, problems };
}

export const PREVIEW_DEFAULTS: PreviewConfig = loadDefaults(new URL('./defaults.yaml', import.meta.url), validatePreviewConfig);

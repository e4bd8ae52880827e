/**
 * Validates the tool-knowledge sections of a rule file: `commands` (how to read a program's
 * argv), `wrappers` (programs that run another program) and `tools` (non-shell tool calls).
 * Problems are appended to the caller's issue list so every problem is reported at once.
 */
import type { CommandSpec, ToolSpec, WrapperSpec } from './rule-schema.js';
import { isRecord, toStringList } from './validate-condition.js';

type Issues = string[];

export const TARGET_BUILDERS = new Set([
  'none', 'paths', 'last_path', 'find', 'dd', 'kubernetes', 'helm', 'aws', 'gcloud', 'az', 'git',
  'terraform', 'docker', 'redis', 'url', 'sql_client', 'hosting', 'registry', 'secrets',
]);

const COMMAND_KEYS = new Set([
  'names', 'style', 'subcommand_depth', 'fold_subcommand_case', 'flags', 'options', 'subcommands',
  'multi_value_options', 'unknown_long_options_take_value', 'targets', 'skip_positionals', 'classes', 'extra',
]);
const WRAPPER_KEYS = new Set([
  'names', 'value_options', 'skip_assignments', 'skip_positionals', 'runs', 'script_flag',
  'unknown_input', 'replace_option', 'noop_flags', 'script_options', 'code_flags', 'language', 'subcommands',
  'keeps_itself',
]);
const TOOL_KEYS = new Set([
  'names', 'class', 'command_arguments', 'path_arguments', 'sql_arguments', 'url_arguments',
  'method_arguments', 'mailbox_arguments', 'folder_arguments',
]);
const WRAPPER_RUNS = new Set(['command', 'script', 'joined_script', 'stdin_script', 'inline_code', 'file_script']);
const CODE_LANGUAGES = new Set(['', 'python', 'js', 'ruby', 'perl', 'php']);

function unknownKeys(raw: Record<string, unknown>, known: Set<string>, where: string, issues: Issues): void {
  for (const k of Object.keys(raw)) if (!known.has(k)) issues.push(`${where}: unknown key "${k}"`);
}

function spellings(raw: unknown, where: string, issues: Issues): Record<string, string[]> {
  if (raw === undefined) return {};
  if (!isRecord(raw)) {
    issues.push(`${where}: expected a mapping of canonical name -> spellings`);
    return {};
  }
  const out: Record<string, string[]> = {};
  for (const [name, v] of Object.entries(raw)) {
    const list = toStringList(v);
    if (list === undefined || list.some((s) => !s.startsWith('-'))) issues.push(`${where}.${name}: spellings must be strings starting with "-"`);
    else out[name] = list;
  }
  return out;
}

function strings(raw: unknown, where: string, issues: Issues, fallback: string[] = []): string[] {
  if (raw === undefined) return fallback;
  const list = toStringList(raw);
  if (list === undefined) {
    issues.push(`${where}: expected a list of strings`);
    return fallback;
  }
  return list;
}

function int(raw: unknown, where: string, issues: Issues, fallback: number): number {
  if (raw === undefined) return fallback;
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 0) {
    issues.push(`${where}: expected a non-negative integer`);
    return fallback;
  }
  return raw;
}

function bool(raw: unknown, where: string, issues: Issues): boolean {
  if (raw === undefined) return false;
  if (typeof raw !== 'boolean') issues.push(`${where}: expected true or false`);
  return raw === true;
}

export function validateCommand(key: string, raw: unknown, where: string, issues: Issues): CommandSpec | undefined {
  if (!isRecord(raw)) {
    issues.push(`${where}: expected a mapping`);
    return undefined;
  }
  unknownKeys(raw, COMMAND_KEYS, where, issues);
  const style = raw.style ?? 'gnu';
  if (style !== 'gnu' && style !== 'single_dash_long') issues.push(`${where}.style: expected gnu or single_dash_long`);
  const targets = typeof raw.targets === 'string' ? raw.targets : 'none';
  if (!TARGET_BUILDERS.has(targets)) issues.push(`${where}.targets: unknown target builder "${String(raw.targets)}"`);
  const subcommands: CommandSpec['subcommands'] = {};
  if (raw.subcommands !== undefined) {
    if (!isRecord(raw.subcommands)) issues.push(`${where}.subcommands: expected a mapping`);
    else {
      for (const [sub, v] of Object.entries(raw.subcommands)) {
        const w = `${where}.subcommands.${sub}`;
        if (!isRecord(v)) {
          issues.push(`${w}: expected a mapping with flags/options`);
          continue;
        }
        unknownKeys(v, new Set(['flags', 'options']), w, issues);
        subcommands[sub] = { flags: spellings(v.flags, `${w}.flags`, issues), options: spellings(v.options, `${w}.options`, issues) };
      }
    }
  }
  const classes: Record<string, string> = {};
  if (raw.classes !== undefined) {
    if (!isRecord(raw.classes)) issues.push(`${where}.classes: expected a mapping of subcommand -> class`);
    else for (const [k, v] of Object.entries(raw.classes)) {
      if (typeof v !== 'string') issues.push(`${where}.classes.${k}: expected a class name`);
      else classes[k] = v;
    }
  }
  if (raw.extra !== undefined && !isRecord(raw.extra)) issues.push(`${where}.extra: expected a mapping`);
  return {
    names: strings(raw.names, `${where}.names`, issues, [key]),
    style: style === 'single_dash_long' ? 'single_dash_long' : 'gnu',
    subcommand_depth: int(raw.subcommand_depth, `${where}.subcommand_depth`, issues, 0),
    fold_subcommand_case: bool(raw.fold_subcommand_case, `${where}.fold_subcommand_case`, issues),
    flags: spellings(raw.flags, `${where}.flags`, issues),
    options: spellings(raw.options, `${where}.options`, issues),
    subcommands,
    multi_value_options: bool(raw.multi_value_options, `${where}.multi_value_options`, issues),
    unknown_long_options_take_value: bool(raw.unknown_long_options_take_value, `${where}.unknown_long_options_take_value`, issues),
    targets,
    skip_positionals: int(raw.skip_positionals, `${where}.skip_positionals`, issues, 0),
    classes,
    extra: isRecord(raw.extra) ? raw.extra : {},
  };
}

export function validateWrapper(key: string, raw: unknown, where: string, issues: Issues): WrapperSpec | undefined {
  if (!isRecord(raw)) {
    issues.push(`${where}: expected a mapping`);
    return undefined;
  }
  unknownKeys(raw, WRAPPER_KEYS, where, issues);
  const runs = strings(raw.runs, `${where}.runs`, issues, ['command']);
  for (const r of runs) if (!WRAPPER_RUNS.has(r)) issues.push(`${where}.runs: unknown mode "${r}"`);
  return {
    names: strings(raw.names, `${where}.names`, issues, [key]),
    value_options: strings(raw.value_options, `${where}.value_options`, issues),
    skip_assignments: bool(raw.skip_assignments, `${where}.skip_assignments`, issues),
    skip_positionals: int(raw.skip_positionals, `${where}.skip_positionals`, issues, 0),
    runs: runs.filter((r): r is WrapperSpec['runs'][number] => WRAPPER_RUNS.has(r)),
    script_flag: typeof raw.script_flag === 'string' ? raw.script_flag : '',
    unknown_input: bool(raw.unknown_input, `${where}.unknown_input`, issues),
    replace_option: typeof raw.replace_option === 'string' ? raw.replace_option : '',
    noop_flags: strings(raw.noop_flags, `${where}.noop_flags`, issues),
    subcommands: strings(raw.subcommands, `${where}.subcommands`, issues),
    keeps_itself: bool(raw.keeps_itself, `${where}.keeps_itself`, issues),
    script_options: strings(raw.script_options, `${where}.script_options`, issues),
    code_flags: strings(raw.code_flags, `${where}.code_flags`, issues),
    language: language(raw.language, where, issues),
  };
}

function language(raw: unknown, where: string, issues: Issues): string {
  const value = typeof raw === 'string' ? raw : '';
  if (!CODE_LANGUAGES.has(value)) issues.push(`${where}.language: unknown language "${value}"`);
  return value;
}

export function validateTool(key: string, raw: unknown, where: string, issues: Issues): ToolSpec | undefined {
  if (!isRecord(raw)) {
    issues.push(`${where}: expected a mapping`);
    return undefined;
  }
  unknownKeys(raw, TOOL_KEYS, where, issues);
  const names = strings(raw.names, `${where}.names`, issues);
  if (names.length === 0) issues.push(`${where}.names: at least one tool name pattern is required`);
  if (typeof raw.class !== 'string') issues.push(`${where}.class: required (the class when no rule matches)`);
  return {
    kind: key,
    names,
    class: typeof raw.class === 'string' ? raw.class : 'none',
    command_arguments: strings(raw.command_arguments, `${where}.command_arguments`, issues),
    path_arguments: strings(raw.path_arguments, `${where}.path_arguments`, issues),
    sql_arguments: strings(raw.sql_arguments, `${where}.sql_arguments`, issues),
    url_arguments: strings(raw.url_arguments, `${where}.url_arguments`, issues),
    method_arguments: strings(raw.method_arguments, `${where}.method_arguments`, issues),
    mailbox_arguments: strings(raw.mailbox_arguments, `${where}.mailbox_arguments`, issues),
    folder_arguments: strings(raw.folder_arguments, `${where}.folder_arguments`, issues),
  };
}

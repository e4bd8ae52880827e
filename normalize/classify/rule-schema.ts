/**
 * The shape of the classifier's knowledge once loaded from YAML: lists, command specs (how to
 * read one program's argv), wrappers (programs that run another program), tool specs (how to
 * read a non-shell tool call) and rules (condition -> class, severity, reversibility). Code is
 * only the mechanism; everything a reviewer would want to tune lives in `rules/*.yaml`.
 */
import type { Severity } from '../../model/audit-event.js';
import type { BlastRadius } from './classification.js';

/** A value in a condition: an inline list of globs or the name of a list (`wide_paths`). */
export type ListRef = string | string[];

export interface Condition {
  /** Program name (basename) globs: `rm`, `mkfs*`. */
  command?: string[];
  /** Globs over the subcommand words joined by a space: `push`, `s3 rm`, `iam delete-*`. */
  subcommand?: string[];
  has_all_flags?: string[];
  has_any_flag?: string[];
  has_no_flag?: string[];
  /** Option (canonical name) -> globs its value must match (case-insensitive). */
  option_is?: Record<string, string[]>;
  /** Globs; true when any positional argument after the subcommand matches. */
  any_arg?: ListRef;
  /** Globs; true when the first positional argument after the subcommand matches. */
  first_arg?: ListRef;
  any_target_in?: ListRef;
  all_targets_in?: ListRef;
  /** True when a target comes from something unknown at classification time ($VAR, xargs input). */
  any_target_unknown?: boolean;
  /** Globs or a list name; true when a file feeding the command's input matches (`nc h p < f`,
   * `cat f | nc h p`, `curl -d "$(cat f)"`, `cat f > /dev/tcp/h/p`). */
  any_input_in?: ListRef;
  /** Program name globs; true when one of them feeds the command's input (`bash -i >& /dev/tcp/…`). */
  fed_by?: string[];
  /** True when the program name itself is computed (`$CMD -rf x`, `os.system(cmd)`). */
  command_unknown?: boolean;
  /** Git branches (or refs) named by the command. */
  any_ref_in?: ListRef;
  /** True when the command names no explicit ref (e.g. `git push -f` alone). */
  no_ref?: boolean;
  /** SQL statement verbs: `drop`, `truncate`, `delete`, `update`, `select`, … */
  sql_statement?: string[];
  sql_object?: string[];
  sql_has_where?: boolean;
  /** Tool name globs (case-insensitive). */
  tool?: string[];
  /** Tool kinds from tools.yaml: `file_write`, `file_delete`, `mail`, `http`, `generic`. */
  tool_kind?: string[];
  http_method?: string[];
  /** True when the URL path ends at a collection rather than one item. */
  url_is_collection?: boolean;
  /** True when the tool arguments select many items (query, filter, `all`, several ids). */
  has_bulk_arguments?: boolean;
  any_of?: Condition[];
  unless?: Condition;
}

export interface Rule {
  id: string;
  desc: string;
  condition: Condition;
  action_class: string;
  severity: Severity;
  destructive: boolean;
  reversible: boolean;
  blast_radius: BlastRadius;
  tags: string[];
  /** Conditions that silence this rule (tuning hook, extended through options.tuning). */
  exceptions: Condition[];
  /** File the rule came from, for messages. */
  source: string;
}

export type FlagStyle = 'gnu' | 'single_dash_long';

export interface CommandSpec {
  /** Names this spec applies to (globs), e.g. `[mkfs, "mkfs.*"]`. */
  names: string[];
  style: FlagStyle;
  /** How many leading positionals are subcommand words (gcloud/az: 0, use any_arg). */
  subcommand_depth: number;
  /** Lowercase subcommand words before matching (redis-cli FLUSHALL). */
  fold_subcommand_case: boolean;
  /** Canonical flag -> spellings. */
  flags: Record<string, string[]>;
  /** Canonical option (takes a value) -> spellings. */
  options: Record<string, string[]>;
  /** Per first-subcommand word: extra flags/options. */
  subcommands: Record<string, { flags: Record<string, string[]>; options: Record<string, string[]> }>;
  /** Option values collect following positionals too (`aws --instance-ids i-1 i-2`). */
  multi_value_options: boolean;
  /** `--long` options not listed under flags take a value (aws, gcloud, az). */
  unknown_long_options_take_value: boolean;
  /** Target builder name (`paths`, `kubernetes`, `aws`, `git`, …). */
  targets: string;
  /** Leading positionals (after the subcommand) that are not targets (chmod's mode). */
  skip_positionals: number;
  /** Class when no rule matches: subcommand glob -> class, `*` as fallback. */
  classes: Record<string, string>;
  /** Free-form facts for a target builder (engine, id options, …). */
  extra: Record<string, unknown>;
}

export interface WrapperSpec {
  names: string[];
  /** Option spellings that take a value (skipped with their value). */
  value_options: string[];
  /** Leading `NAME=value` words are assignments, not the command (env). */
  skip_assignments: boolean;
  /** Positionals to skip before the wrapped command (timeout's duration). */
  skip_positionals: number;
  /** What the wrapper runs: `command` (the rest of argv), `script` (a flag's value is shell
   * text, e.g. bash -c), `joined_script` (all remaining words joined: eval, ssh), `stdin_script`
   * (the heredoc body is a script: bash <<EOF). Several may apply. */
  runs: Array<'command' | 'script' | 'joined_script' | 'stdin_script' | 'inline_code' | 'file_script'>;
  /** Short flag letter whose presence makes the first positional a script (`c` for bash -c). */
  script_flag: string;
  /** Input is unknown: the wrapped command gets a wildcard argument (xargs). */
  unknown_input: boolean;
  /** Placeholder word replaced by the unknown input (`{}` with xargs -I {}). */
  replace_option: string;
  /** Flags with which the wrapper runs nothing, only reports (`command -v rm`). */
  noop_flags: string[];
  /** When not empty, the wrapper runs a command only after one of these words (its own
   * subcommand: `doppler run -- cmd`, `aws-vault exec prof -- cmd`); otherwise it stays a command. */
  subcommands: string[];
  /** The wrapper is a command of its own as well as what it runs (`kubectl exec pod -- cmd` is a
   * kubectl call and `cmd`): both are judged. */
  keeps_itself: boolean;
  /** Options, anywhere in argv, whose value is shell text (`env -S`, `su … --command=…`). */
  script_options: string[];
  /** `inline_code`: flags whose value is a program in `language` (`python -c`, `node -e`);
   * a short flag may end a cluster (`perl -ne`). */
  code_flags: string[];
  /** Language of inline code: python, js, ruby, perl, php. */
  language: string;
}

export interface ToolSpec {
  kind: string;
  names: string[];
  class: string;
  command_arguments: string[];
  path_arguments: string[];
  sql_arguments: string[];
  url_arguments: string[];
  method_arguments: string[];
  mailbox_arguments: string[];
  folder_arguments: string[];
}

export interface RuleSet {
  version: string;
  lists: Record<string, string[]>;
  commands: CommandSpec[];
  wrappers: WrapperSpec[];
  tools: ToolSpec[];
  rules: Rule[];
  bulk_argument_keys: string[];
}

/** User tuning applied on top of the rule files without editing them. */
export interface Tuning {
  /** Rule ids to switch off entirely. */
  disabled_rules?: string[];
  /** Extra entries appended to lists, e.g. `user_known_rm_recursive: ["/scratch/**"]`,
   * `protected_branches: ["develop"]`. */
  lists?: Record<string, string[]>;
  /** Extra exception conditions per rule id. */
  exceptions?: Record<string, Condition[]>;
  /** Raise destructive severities one step when the environment is production. Default true. */
  escalate_in_production?: boolean;
}

/**
 * Evaluates a rule condition against a subject. Every key present must hold (keys are ANDed);
 * `any_of` ORs nested conditions and `unless` negates one. Keys about programs only hold for
 * commands, keys about SQL for statements, keys about tools for tool calls; keys about targets
 * hold for every kind.
 */
import type { Condition } from '../rule-schema.js';
import type { Subject, ToolSubject } from './subject.js';
import { isCollectionUrl } from '../tools/tool-subjects.js';
import { globMatch, resolveList, targetIn, type PatternContext } from './patterns.js';

export interface EvalContext extends PatternContext {
  bulkKeys: string[];
}

function isBulk(s: ToolSubject, keys: string[]): boolean {
  for (const k of keys) {
    const v = s.args[k];
    if (v === undefined || v === null || v === false || v === '') continue;
    if (Array.isArray(v)) {
      if (v.length > 1) return true;
      continue;
    }
    return true;
  }
  return false;
}

function commandKeysHold(c: Condition, s: Subject, ctx: EvalContext): boolean {
  if (s.kind !== 'command') return false;
  const a = s.argv;
  if (c.command && !globMatch(c.command, s.name)) return false;
  if (c.subcommand && !globMatch(c.subcommand, a.subcommand.join(' '))) return false;
  if (c.has_all_flags && !c.has_all_flags.every((f) => a.flags.has(f))) return false;
  if (c.has_any_flag && !c.has_any_flag.some((f) => a.flags.has(f))) return false;
  if (c.has_no_flag && c.has_no_flag.some((f) => a.flags.has(f))) return false;
  if (c.option_is) {
    for (const [name, pats] of Object.entries(c.option_is)) {
      const values = a.options.get(name);
      if (!values || !values.some((v) => globMatch(pats, v, true))) return false;
    }
  }
  if (c.any_arg && !a.positionals.some((p) => globMatch(resolveList(c.any_arg!, ctx), p.text))) return false;
  if (c.first_arg) {
    const first = a.positionals[0];
    if (!first || !globMatch(resolveList(c.first_arg, ctx), first.text)) return false;
  }
  if (c.any_ref_in && !s.refs.some((r) => globMatch(resolveList(c.any_ref_in!, ctx), r))) return false;
  if (c.no_ref !== undefined && s.noRef !== c.no_ref) return false;
  if (c.any_input_in && !(s.inputs ?? []).some((t) => targetIn(c.any_input_in!, t.value, ctx))) return false;
  if (c.fed_by && !(s.fedBy ?? []).some((n) => globMatch(c.fed_by!, n))) return false;
  if (c.command_unknown !== undefined && (s.words[0]?.unknown === true) !== c.command_unknown) return false;
  return true;
}

function sqlKeysHold(c: Condition, s: Subject): boolean {
  if (s.kind !== 'sql') return false;
  if (c.sql_statement && !c.sql_statement.includes(s.statement.verb)) return false;
  if (c.sql_object && !c.sql_object.includes(s.statement.object)) return false;
  if (c.sql_has_where !== undefined && s.statement.has_where !== c.sql_has_where) return false;
  return true;
}

function toolKeysHold(c: Condition, s: Subject, ctx: EvalContext): boolean {
  if (s.kind !== 'tool') return false;
  if (c.tool && !globMatch(c.tool, s.tool, true)) return false;
  if (c.tool_kind && !c.tool_kind.includes(s.toolKind)) return false;
  if (c.http_method && !globMatch(c.http_method, s.httpMethod, true)) return false;
  if (c.has_bulk_arguments !== undefined && isBulk(s, ctx.bulkKeys) !== c.has_bulk_arguments) return false;
  return true;
}

const COMMAND_KEYS = ['command', 'subcommand', 'has_all_flags', 'has_any_flag', 'has_no_flag', 'option_is', 'any_arg', 'first_arg', 'any_ref_in', 'no_ref', 'any_input_in', 'fed_by', 'command_unknown'] as const;
const SQL_KEYS = ['sql_statement', 'sql_object', 'sql_has_where'] as const;
const TOOL_KEYS = ['tool', 'tool_kind', 'http_method', 'has_bulk_arguments'] as const;

/** Tools know it from their URL argument; commands (curl) from their http(s) targets. */
function urlIsCollection(s: Subject): boolean {
  if (s.kind === 'tool') return s.urlIsCollection;
  return s.targets.some((t) => /^https?:\/\//.test(t.value) && isCollectionUrl(t.value));
}

export function holds(c: Condition, s: Subject, ctx: EvalContext): boolean {
  if (COMMAND_KEYS.some((k) => c[k] !== undefined) && !commandKeysHold(c, s, ctx)) return false;
  if (SQL_KEYS.some((k) => c[k] !== undefined) && !sqlKeysHold(c, s)) return false;
  if (TOOL_KEYS.some((k) => c[k] !== undefined) && !toolKeysHold(c, s, ctx)) return false;
  if (c.url_is_collection !== undefined && urlIsCollection(s) !== c.url_is_collection) return false;
  if (c.any_target_in && !s.targets.some((t) => targetIn(c.any_target_in!, t.value, ctx))) return false;
  if (c.all_targets_in && (s.targets.length === 0 || !s.targets.every((t) => !t.unknown && targetIn(c.all_targets_in!, t.value, ctx)))) return false;
  if (c.any_target_unknown !== undefined && s.targets.some((t) => t.unknown) !== c.any_target_unknown) return false;
  if (c.any_of && !c.any_of.some((sub) => holds(sub, s, ctx))) return false;
  if (c.unless && holds(c.unless, s, ctx)) return false;
  return true;
}

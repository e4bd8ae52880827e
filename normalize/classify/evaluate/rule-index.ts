/**
 * Narrows the rules worth evaluating for a subject: rules naming literal programs are filed
 * under those names, so `rm -rf x` is checked against the rm rules rather than all of them.
 * Rules with glob program names, SQL rules, tool rules and target-only rules stay in lists
 * by subject kind. Pure optimisation: the answer is the same as checking every rule.
 */
import type { Condition, Rule } from '../rule-schema.js';
import type { Subject } from './subject.js';

const GLOB = /[*?[\]{}]/;

/** Program names a condition requires, or undefined when it can match any program. */
function commandNames(c: Condition): string[] | undefined {
  if (c.command) return c.command;
  if (c.any_of && c.any_of.length > 0) {
    const names: string[] = [];
    for (const sub of c.any_of) {
      const n = commandNames(sub);
      if (n === undefined) return undefined;
      names.push(...n);
    }
    return names;
  }
  return undefined;
}

function requiresKind(c: Condition): Subject['kind'] | undefined {
  if (c.command || c.subcommand || c.has_all_flags || c.has_any_flag || c.option_is || c.first_arg || c.any_input_in || c.fed_by || c.command_unknown !== undefined) return 'command';
  if (c.sql_statement || c.sql_object || c.sql_has_where !== undefined) return 'sql';
  if (c.tool || c.tool_kind || c.http_method || c.has_bulk_arguments !== undefined) return 'tool';
  if (c.any_of && c.any_of.length > 0) {
    const kinds = new Set(c.any_of.map(requiresKind));
    return kinds.size === 1 ? [...kinds][0] : undefined;
  }
  return undefined;
}

export class RuleIndex {
  private readonly byCommand = new Map<string, Rule[]>();
  private readonly anyCommand: Rule[] = [];
  private readonly byKind: Record<Subject['kind'], Rule[]> = { command: [], sql: [], tool: [] };
  private readonly order = new Map<Rule, number>();

  constructor(rules: Rule[]) {
    rules.forEach((r, i) => this.order.set(r, i));
    for (const rule of rules) {
      const names = commandNames(rule.condition);
      const kind = requiresKind(rule.condition);
      if (names && !names.some((n) => GLOB.test(n))) {
        for (const n of new Set(names)) {
          const list = this.byCommand.get(n) ?? [];
          list.push(rule);
          this.byCommand.set(n, list);
        }
        // A rule mixing command and tool alternatives is also a candidate for tools.
        if (kind === undefined) {
          this.byKind.tool.push(rule);
          this.byKind.sql.push(rule);
        }
      } else if (kind === undefined) {
        this.anyCommand.push(rule);
        this.byKind.sql.push(rule);
        this.byKind.tool.push(rule);
      } else if (kind === 'command') this.anyCommand.push(rule);
      else this.byKind[kind].push(rule);
    }
  }

  candidates(s: Subject): Rule[] {
    if (s.kind !== 'command') return this.byKind[s.kind];
    const named = this.byCommand.get(s.name);
    if (!named) return this.anyCommand;
    return [...named, ...this.anyCommand].sort((a, b) => this.order.get(a)! - this.order.get(b)!);
  }
}

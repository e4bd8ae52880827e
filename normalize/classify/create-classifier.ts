/**
 * The classifier: action (tool, command, arguments, cwd) -> Classification. Shell tools go
 * through the shell parser, SQL tools through the SQL parser, patch bodies (apply_patch) through
 * the patch reader, everything else through the tool knowledge; each resulting subject is
 * checked against every rule, and the matches are combined. Synchronous, and parses are cached, because it runs on every event.
 */
import { fileURLToPath } from 'node:url';
import { BoundedMap } from '../../lib/bounded.js';
import type { ActionInput, Classification, Classifier, RuleMatch } from './classification.js';
import { applyTuning } from './apply-tuning.js';
import { aggregate, type SubjectOutcome } from './evaluate/aggregate.js';
import { holds, type EvalContext } from './evaluate/conditions.js';
import { globMatch, patternContext, targetIn } from './evaluate/patterns.js';
import { RuleIndex } from './evaluate/rule-index.js';
import type { Subject } from './evaluate/subject.js';
import { loadRules } from './load-rules.js';
import type { Rule, RuleSet, Tuning } from './rule-schema.js';
import { ShellSubjects } from './shell-subjects.js';
import { sqlSubjects } from './sql/sql-subjects.js';
import { findPatchBody, parsePatch, patchSubjects } from './tools/apply-patch.js';
import { argStrings, findToolSpec, toolSubject } from './tools/tool-subjects.js';

export const DEFAULT_RULES_DIR = fileURLToPath(new URL('./rules/', import.meta.url));
export const DEFAULT_CACHE_SIZE = 10_000;
const PRODUCTION = /^prod(uction)?$/i;

export interface ClassifierOptions {
  /** Folder of rule YAML files; defaults to the bundled `rules/`. */
  rulesDir?: string;
  /** An already loaded rule set (takes precedence over rulesDir). */
  rules?: RuleSet;
  tuning?: Tuning;
  /** Parsed commands kept in the LRU cache (0 disables caching). */
  cacheSize?: number;
}

function sqlDefaultClass(verb: string): string {
  if (verb === 'select' || verb === 'show' || verb === 'explain' || verb === 'describe' || verb === 'desc') return 'read';
  if (['insert', 'update', 'delete', 'replace', 'merge', 'copy'].includes(verb)) return 'db.write';
  if (['create', 'alter', 'drop', 'truncate', 'rename'].includes(verb)) return 'db.schema';
  return 'db.exec';
}

const MAX_CACHED_KEY_LENGTH = 4096;

export function createClassifier(options: ClassifierOptions = {}): Classifier & { readonly rules: RuleSet } {
  const rules = applyTuning(options.rules ?? loadRules(options.rulesDir ?? DEFAULT_RULES_DIR), options.tuning);
  const shell = new ShellSubjects(rules, options.cacheSize ?? DEFAULT_CACHE_SIZE);
  const escalate = options.tuning?.escalate_in_production ?? true;
  const index = new RuleIndex(rules.rules);

  function silenced(rule: Rule, s: Subject, ctx: EvalContext): boolean {
    if (rule.exceptions.some((c) => holds(c, s, ctx))) return true;
    const known = `user_known_${rule.id}`;
    const list = ctx.lists[known] ?? [];
    return list.length > 0 && s.targets.length > 0 && s.targets.every((t) => targetIn(known, t.value, ctx));
  }

  function defaultClass(s: Subject): string {
    if (s.kind === 'sql') return sqlDefaultClass(s.statement.verb);
    if (s.kind === 'tool') return findToolSpec(rules.tools, s.tool).class;
    if (s.defersToSql) return 'none';
    const classes = s.spec?.classes ?? {};
    const sub = s.argv.subcommand.join(' ');
    for (const [pattern, cls] of Object.entries(classes)) if (pattern !== '*' && globMatch([pattern], sub)) return cls;
    return classes['*'] ?? 'none';
  }

  function subjectsOf(input: ActionInput): { subjects: Subject[]; unparsed: boolean } {
    const args = input.arguments ?? {};
    const spec = findToolSpec(rules.tools, input.tool);
    // A patch body (apply_patch) is read for the files it touches, whatever the tool is called.
    // Text a shell runs is still read as shell too: a patch must not hide what else it runs.
    const patch = findPatchBody(input.command, args);
    if (patch !== undefined) {
      const files = patchSubjects(parsePatch(patch), rules.tools, input.cwd);
      if (spec.kind !== 'shell' || input.command === '') return { subjects: files, unparsed: false };
      const script = shell.subjects(input.command, input.cwd);
      return { subjects: [...files, ...script.subjects], unparsed: script.unparsed };
    }
    if (spec.kind === 'shell' || (spec.kind === 'generic' && input.command !== '')) {
      const text = input.command || argStrings(args, spec.command_arguments)[0] || '';
      return shell.subjects(text, input.cwd);
    }
    if (spec.kind === 'sql') {
      const sql = input.command ? [input.command] : argStrings(args, spec.sql_arguments).slice(0, 1);
      const database = argStrings(args, ['database', 'db', 'schema'])[0] ?? 'default';
      const engine = argStrings(args, ['engine', 'dialect'])[0] ?? 'sql';
      // A database tool called without SQL (`drop_database {name}`) is judged by its name, like any API call.
      if (sql.length === 0) return { subjects: [toolSubject({ ...spec, kind: 'generic' }, input.tool, args, input.cwd)], unparsed: false };
      return { subjects: sqlSubjects({ sql, engine, database }, shell.parseSqlCached), unparsed: false };
    }
    return { subjects: [toolSubject(spec, input.tool, args, input.cwd)], unparsed: false };
  }

  // Whole results of identical actions are cached too: agents repeat commands, and evaluating
  // the rules costs more than parsing once the parse is cached. Large inputs are not kept.
  const results = new BoundedMap<string, Classification>(options.cacheSize ?? DEFAULT_CACHE_SIZE);
  const copy = (c: Classification): Classification => ({
    ...c,
    targets: [...c.targets],
    matches: c.matches.map((m) => ({ ...m, tags: [...m.tags] })),
  });

  function evaluate(input: ActionInput): Classification {
    const ctx: EvalContext = { ...patternContext(rules.lists, input.cwd), bulkKeys: rules.bulk_argument_keys };
    const { subjects, unparsed } = subjectsOf(input);
    const outcomes: SubjectOutcome[] = subjects.map((s) => {
      const matches: RuleMatch[] = [];
      for (const rule of index.candidates(s)) {
        if (!holds(rule.condition, s, ctx) || silenced(rule, s, ctx)) continue;
        matches.push({
          rule_id: rule.id, action_class: rule.action_class, severity: rule.severity, reversible: rule.reversible,
          blast_radius: rule.blast_radius, tags: rule.tags, matched: s.text, destructive: rule.destructive,
        });
      }
      return { matches, defaultClass: defaultClass(s), targets: s.targets.map((t) => t.value), unknownTargets: s.targets.some((t) => t.unknown) };
    });
    const result = aggregate(outcomes, escalate && PRODUCTION.test(input.environment ?? ''));
    return { ...result, unparsed, rules_version: rules.version };
  }

  return {
    rules,
    classify(input: ActionInput): Classification {
      const key = `${input.tool}\u0000${input.command}\u0000${input.cwd}\u0000${input.environment ?? ''}\u0000${JSON.stringify(input.arguments ?? {})}`;
      if (key.length > MAX_CACHED_KEY_LENGTH) return evaluate(input);
      let result = results.lookup(key);
      if (result === undefined) {
        result = evaluate(input);
        results.set(key, result);
      }
      return copy(result);
    },
  };
}

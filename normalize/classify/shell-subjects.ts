/**
 * Shell text -> subjects. Parsing, unwrapping and argv reading do not depend on the working
 * directory, so their result is cached per command text in a bounded LRU; targets (which do)
 * are derived per call. Database clients also yield one SQL subject per statement they run.
 * A command asked for its help or version (`rm --help`, `git push --force --help`, before any
 * `--`) only prints, so it yields no subject.
 */
import { parseArgv, type ParsedArgv } from './argv/parse-argv.js';
import type { CommandSubject, Subject } from './evaluate/subject.js';
import { globMatch } from './evaluate/patterns.js';
import { BoundedMap } from '../../lib/bounded.js';
import type { CommandSpec, RuleSet } from './rule-schema.js';
import { Unwrapper, baseName } from './shell/unwrap.js';
import type { Word } from './shell/word.js';
import { parseSql } from './sql/parse-sql.js';
import type { SqlStatement } from './sql/sql-statement.js';
import { sqlFromClient, sqlSubjects } from './sql/sql-subjects.js';
import { buildTargets } from './targets/build-targets.js';

interface PreparedCommand {
  name: string;
  words: Word[];
  spec: CommandSpec | undefined;
  argv: ParsedArgv;
  stdin: string[];
}

export interface PreparedScript {
  commands: PreparedCommand[];
  unparsed: boolean;
}

const EMPTY_SPEC: CommandSpec = {
  names: [], style: 'gnu', subcommand_depth: 0, fold_subcommand_case: false, flags: {}, options: {},
  subcommands: {}, multi_value_options: false, unknown_long_options_take_value: false, targets: 'none',
  skip_positionals: 0, classes: {}, extra: {},
};

const HELP = new Set(['--help', '--version']);

/** True when the program reads `flag` as an option with a value (`cargo yank --version 1.0.1`). */
function takesValue(spec: CommandSpec | undefined, flag: string): boolean {
  if (!spec) return false;
  const declares = (o: Record<string, string[]>): boolean => Object.values(o).some((s) => s.includes(flag));
  return declares(spec.options) || Object.values(spec.subcommands).some((x) => declares(x.options));
}

function onlyPrintsHelp(words: readonly Word[], spec: CommandSpec | undefined): boolean {
  for (let i = 1; i < words.length; i++) {
    const t = words[i]!.text;
    if (t === '--') return false;
    if (HELP.has(t) && !words[i]!.unknown && !takesValue(spec, t)) return true;
  }
  return false;
}

export class ShellSubjects {
  private readonly unwrapper: Unwrapper;
  private readonly exact = new Map<string, CommandSpec>();
  private readonly globbed: CommandSpec[] = [];
  private readonly scripts: BoundedMap<string, PreparedScript>;
  private readonly sql: BoundedMap<string, SqlStatement[]>;

  constructor(rules: RuleSet, cacheSize: number) {
    this.unwrapper = new Unwrapper(rules.wrappers);
    for (const spec of rules.commands) {
      for (const n of spec.names) {
        if (/[*?[{]/.test(n)) this.globbed.push(spec);
        else if (!this.exact.has(n)) this.exact.set(n, spec);
      }
    }
    this.scripts = new BoundedMap(cacheSize);
    this.sql = new BoundedMap(Math.max(16, cacheSize >> 2));
  }

  specFor(name: string): CommandSpec | undefined {
    return this.exact.get(name) ?? this.globbed.find((s) => globMatch(s.names, name));
  }

  prepare(text: string): PreparedScript {
    const hit = this.scripts.lookup(text);
    if (hit) return hit;
    const execs = this.unwrapper.script(text);
    const commands = execs.flatMap((e) => {
      const name = baseName(e.words[0]?.text ?? '');
      const spec = this.specFor(name);
      if (onlyPrintsHelp(e.words, spec)) return [];
      return [{ name, words: e.words, spec, argv: parseArgv(e.words.slice(1), spec ?? EMPTY_SPEC), stdin: e.stdin }];
    });
    const prepared = { commands, unparsed: execs.some((e) => e.unparsed) };
    this.scripts.set(text, prepared);
    return prepared;
  }

  parseSqlCached = (sql: string, engine: string): SqlStatement[] => {
    const key = `${engine}\u0000${sql}`;
    let hit = this.sql.lookup(key);
    if (!hit) {
      hit = parseSql(sql, engine);
      this.sql.set(key, hit);
    }
    return hit;
  };

  subjects(text: string, cwd: string): { subjects: Subject[]; unparsed: boolean } {
    const prepared = this.prepare(text);
    const subjects: Subject[] = [];
    for (const c of prepared.commands) {
      const s: CommandSubject = {
        kind: 'command', name: c.name, words: c.words, spec: c.spec, stdin: c.stdin,
        argv: { ...c.argv, flags: new Set(c.argv.flags) }, refs: [], noRef: false, defersToSql: false, targets: [],
        text: c.words.map((w) => w.text).join(' ').slice(0, 200),
      };
      buildTargets(s, cwd);
      subjects.push(s);
      if (c.spec?.targets === 'sql_client') {
        const sql = sqlSubjects(sqlFromClient(s), this.parseSqlCached);
        s.defersToSql = sql.length > 0;
        subjects.push(...sql);
      }
    }
    return { subjects, unparsed: prepared.unparsed };
  }
}

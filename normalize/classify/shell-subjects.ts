/**
 * Shell text -> subjects. Parsing, unwrapping and argv reading do not depend on the working
 * directory, so their result is cached per command text in a bounded LRU; targets (which do)
 * are derived per call. Database clients also yield one SQL subject per statement they run.
 * A command asked for its help or version (`rm --help`, `git push --force --help`, before any
 * `--`) only prints, so it yields no subject.
 */
import { parseArgv, type ParsedArgv } from './argv/parse-argv.js';
import type { CommandSubject, Subject, Target } from './evaluate/subject.js';
import { globMatch } from './evaluate/patterns.js';
import { BoundedMap } from '../../lib/bounded.js';
import type { CommandSpec, RuleSet } from './rule-schema.js';
import { Unwrapper, baseName } from './shell/unwrap.js';
import type { Word } from './shell/word.js';
import { parseSql } from './sql/parse-sql.js';
import type { SqlStatement } from './sql/sql-statement.js';
import { sqlFromClient, sqlSubjects } from './sql/sql-subjects.js';
import { buildTargets } from './targets/build-targets.js';
import { resolvePath } from './targets/paths.js';

interface PreparedCommand {
  name: string;
  words: Word[];
  spec: CommandSpec | undefined;
  argv: ParsedArgv;
  stdin: string[];
  /** What feeds its input: files, and the (unwrapped) commands upstream. */
  feeds: Array<{ file: Word } | { command: Omit<PreparedCommand, 'feeds' | 'stdin'> }>;
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
    const read = (words: Word[]): Omit<PreparedCommand, 'feeds' | 'stdin'> => {
      const name = baseName(words[0]?.text ?? '');
      const spec = this.specFor(name);
      return { name, words, spec, argv: parseArgv(words.slice(1), spec ?? EMPTY_SPEC) };
    };
    const commands = execs.flatMap((e): PreparedCommand[] => {
      const c = read(e.words);
      if (onlyPrintsHelp(e.words, c.spec)) return [];
      const feeds = (e.feeds ?? []).flatMap((f): PreparedCommand['feeds'] => ('file' in f ? [f] : this.unwrapper.commandsOf(f.command).map((x) => ({ command: read(x.words) }))));
      return [{ ...c, stdin: e.stdin, feeds }];
    });
    const prepared = { commands, unparsed: execs.some((e) => e.unparsed) };
    this.scripts.set(text, prepared);
    return prepared;
  }

  /** Resolves what feeds a command: files as paths, upstream commands as their own targets. */
  private addInputs(s: CommandSubject, c: PreparedCommand, cwd: string): void {
    const inputs: Target[] = [];
    const fedBy: string[] = [];
    for (const f of c.feeds) {
      if ('file' in f) {
        inputs.push({ value: resolvePath(f.file.text, cwd), unknown: f.file.unknown });
        continue;
      }
      const u: CommandSubject = {
        kind: 'command', name: f.command.name, words: f.command.words, spec: f.command.spec, stdin: [],
        argv: { ...f.command.argv, flags: new Set(f.command.argv.flags) }, refs: [], noRef: false, defersToSql: false, targets: [], text: '',
      };
      buildTargets(u, cwd);
      inputs.push(...u.targets);
      fedBy.push(f.command.name);
    }
    s.inputs = inputs;
    s.fedBy = fedBy;
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
      if (c.feeds.length > 0) this.addInputs(s, c, cwd);
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

/**
 * Turns SQL into subjects. SQL comes from database clients on the command line (`psql -c`,
 * `mysql -e`, `sqlite3 db "…"`, `clickhouse-client -q`, heredocs and here-strings into them)
 * or from SQL tools' arguments. Targets are `db://<engine>/<database>/<table>`; the database
 * is the client's `database` option or positional (spec `extra.database_positional`), a
 * `db.table` qualifier, else `default`. A client that runs SQL only in some subcommands lists
 * them in `extra.sql_subcommands`.
 */
import type { CommandSubject, SqlSubject, Target } from '../evaluate/subject.js';
import { parseSql } from './parse-sql.js';
import type { SqlStatement } from './sql-statement.js';

export interface SqlSource {
  sql: string[];
  engine: string;
  database: string;
}

export function sqlFromClient(s: CommandSubject): SqlSource {
  const extra = s.spec?.extra ?? {};
  const engine = typeof extra.engine === 'string' ? extra.engine : '';
  const dbPos = typeof extra.database_positional === 'number' ? extra.database_positional : -1;
  const sqlPos = typeof extra.sql_positional === 'number' ? extra.sql_positional : -1;
  // A client whose SQL only some subcommands take (`bq query '…'`, not `bq rm ds.t`).
  const only = Array.isArray(extra.sql_subcommands) ? extra.sql_subcommands : undefined;
  if (only !== undefined && !only.includes(s.argv.subcommand[0] ?? '')) return { sql: [], engine: engine || 'sql', database: 'default' };
  let database = s.argv.options.get('database')?.[0] ?? (dbPos >= 0 ? s.argv.positionals[dbPos]?.text : undefined) ?? 'default';
  if (/^[a-z]+:\/\//.test(database)) database = database.replace(/^.*\//, '').replace(/\?.*$/, '') || 'default';
  const sql = [...(s.argv.options.get('sql') ?? [])];
  const positional = sqlPos >= 0 ? s.argv.positionals[sqlPos]?.text : undefined;
  if (positional !== undefined) sql.push(positional);
  sql.push(...s.stdin);
  return { sql, engine: engine || 'sql', database };
}

function statementTargets(st: SqlStatement, engine: string, database: string): Target[] {
  if (st.object === 'database' || st.object === 'schema') {
    return (st.tables.length ? st.tables : ['*']).map((d) => ({ value: `db://${engine}/${d}`, unknown: false }));
  }
  return (st.tables.length ? st.tables : ['*']).map((t) => {
    const dot = t.indexOf('.');
    const [db, table] = dot > 0 && st.object !== 'column' ? [t.slice(0, dot), t.slice(dot + 1)] : [database, t];
    return { value: `db://${engine}/${db}/${table}`, unknown: false };
  });
}

export type SqlParseFn = (sql: string, engine: string) => SqlStatement[];

export function sqlSubjects(src: SqlSource, parse: SqlParseFn = parseSql): SqlSubject[] {
  const out: SqlSubject[] = [];
  const engineForParser = src.engine === 'sql' ? '' : src.engine;
  for (const text of src.sql) {
    for (const statement of parse(text, engineForParser)) {
      out.push({
        kind: 'sql',
        statement,
        targets: statementTargets(statement, src.engine, src.database),
        text: `${statement.verb.toUpperCase()}${statement.object ? ` ${statement.object.toUpperCase()}` : ''} ${statement.tables.join(', ')}`.trim(),
      });
    }
  }
  return out;
}

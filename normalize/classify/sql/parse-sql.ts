/**
 * Reads SQL text into statements. The script is split on top-level `;` by the lexer; each
 * statement is parsed by node-sql-parser in the dialects that fit the engine, and when none
 * accepts it the token classifier reads it instead (still keyword by keyword, so
 * `SELECT 'DROP TABLE x'` stays a select). MongoDB shell code (engine `mongo`) is read by
 * `mongo-shell.ts` into the same statements.
 */
import nodeSqlParser from 'node-sql-parser';
import { parseMongoShell } from './mongo-shell.js';
import { classifyTokens, type SqlStatement } from './sql-statement.js';
import { scanSql } from './sql-tokens.js';

const DIALECTS: Record<string, string[]> = {
  postgres: ['postgresql', 'mysql'],
  mysql: ['mysql', 'mariadb'],
  sqlite: ['sqlite', 'postgresql'],
  clickhouse: ['mysql', 'postgresql'],
  '': ['postgresql', 'mysql'],
};

type Ast = Record<string, unknown>;
let parser: InstanceType<typeof nodeSqlParser.Parser> | undefined;

function tableNames(v: unknown): string[] {
  const items = Array.isArray(v) ? v : v ? [v] : [];
  const out: string[] = [];
  for (const it of items) {
    if (typeof it === 'string') out.push(it);
    else if (it && typeof it === 'object') {
      const t = it as Ast;
      const table = typeof t.table === 'string' ? t.table : '';
      const db = typeof t.db === 'string' && t.db ? `${t.db}.` : '';
      if (table) out.push(`${db}${table}`);
    }
  }
  return out;
}

function fromAst(ast: Ast): SqlStatement | undefined {
  const type = String(ast.type ?? '').toLowerCase();
  const out: SqlStatement = { verb: type, object: '', tables: [], has_where: ast.where !== null && ast.where !== undefined, parsed: true };
  switch (type) {
    case 'drop':
    case 'truncate':
      out.object = String(ast.keyword ?? 'table').toLowerCase();
      out.tables = tableNames(ast.name ?? ast.table);
      return out;
    case 'delete':
      out.tables = tableNames(ast.from ?? ast.table);
      return out;
    case 'update':
    case 'insert':
    case 'replace':
      out.tables = tableNames(ast.table);
      return out;
    case 'alter': {
      out.object = String(ast.keyword ?? 'table').toLowerCase();
      out.tables = tableNames(ast.table);
      const exprs = Array.isArray(ast.expr) ? (ast.expr as Ast[]) : [];
      if (exprs.some((e) => String(e.action ?? '').toLowerCase() === 'drop')) out.object = 'column';
      return out;
    }
    case 'select':
      out.tables = tableNames(ast.from);
      return out;
    default:
      return type ? out : undefined;
  }
}

function parseOne(text: string, engine: string): SqlStatement {
  parser ??= new nodeSqlParser.Parser();
  for (const database of DIALECTS[engine] ?? DIALECTS['']!) {
    try {
      const ast = parser.astify(text, { database }) as unknown;
      const list = (Array.isArray(ast) ? ast : [ast]) as Ast[];
      const first = list[0] ? fromAst(list[0]) : undefined;
      if (first) return first;
    } catch {
      // try the next dialect, then the token classifier
    }
  }
  return classifyTokens(text);
}

/** Statements of a SQL script; `engine` is postgres, mysql, sqlite, clickhouse or ''. */
export function parseSql(sql: string, engine: string): SqlStatement[] {
  if (engine === 'mongo') return parseMongoShell(sql);
  return scanSql(sql).statements.map((s) => parseOne(s, engine));
}

/**
 * What a SQL statement does, as far as classification cares: its verb, the kind of object
 * (table, database, schema, column, partition), the tables it names and whether it has a WHERE.
 * `classifyTokens` is the fallback for statements no dialect of node-sql-parser accepts: it
 * reads keywords in order from the lexer's tokens, never searching the raw text.
 */
import { scanSql, type SqlToken } from './sql-tokens.js';

export interface SqlStatement {
  verb: string;
  object: string;
  tables: string[];
  has_where: boolean;
  /** True when node-sql-parser produced the reading, false for the token fallback. */
  parsed: boolean;
}

const OBJECT_WORDS = new Set(['TABLE', 'DATABASE', 'SCHEMA', 'VIEW', 'INDEX', 'COLUMN', 'PARTITION', 'USER', 'ROLE', 'FUNCTION', 'PROCEDURE', 'TRIGGER', 'SEQUENCE', 'DICTIONARY', 'KEYSPACE', 'COLLECTION']);
const SKIP_AFTER_DROP = new Set(['TEMPORARY', 'TEMP', 'MATERIALIZED', 'IF', 'EXISTS', 'ONLY', 'FOREIGN', 'UNLOGGED']);
const DML = new Set(['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'MERGE']);

function nameAfter(tokens: SqlToken[], from: number, skip: Set<string>): string {
  for (let i = from; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === 'punct') return '';
    if (t.kind === 'word' && skip.has(t.value)) continue;
    return t.kind === 'word' ? t.value.toLowerCase() : t.value;
  }
  return '';
}

export function classifyTokens(text: string): SqlStatement {
  const tokens = scanSql(text).tokens;
  const words = tokens.filter((t) => t.kind === 'word' && t.depth === 0);
  let verb = words[0]?.value ?? '';
  if (verb === 'WITH') verb = words.find((w) => DML.has(w.value))?.value ?? 'SELECT';
  const out: SqlStatement = { verb: verb.toLowerCase(), object: '', tables: [], has_where: words.some((w) => w.value === 'WHERE'), parsed: false };
  const idx = tokens.indexOf(words[0]!);
  switch (verb) {
    case 'DROP': {
      const objIdx = tokens.findIndex((t, i) => i > idx && t.kind === 'word' && OBJECT_WORDS.has(t.value));
      out.object = objIdx >= 0 ? tokens[objIdx]!.value.toLowerCase() : nameAfter(tokens, idx + 1, SKIP_AFTER_DROP);
      const name = objIdx >= 0 ? nameAfter(tokens, objIdx + 1, SKIP_AFTER_DROP) : '';
      if (name) out.tables.push(name);
      break;
    }
    case 'TRUNCATE': {
      out.object = 'table';
      const name = nameAfter(tokens, idx + 1, new Set(['TABLE', 'ONLY', 'IF', 'EXISTS']));
      if (name) out.tables.push(name);
      break;
    }
    case 'DELETE': {
      const name = nameAfter(tokens, idx + 1, new Set(['FROM', 'ONLY', 'LOW_PRIORITY', 'QUICK', 'IGNORE']));
      if (name) out.tables.push(name);
      break;
    }
    case 'UPDATE': {
      const name = nameAfter(tokens, idx + 1, new Set(['ONLY', 'LOW_PRIORITY', 'IGNORE']));
      if (name) out.tables.push(name);
      break;
    }
    case 'ALTER': {
      out.object = (words[1]?.value ?? '').toLowerCase();
      const name = nameAfter(tokens, idx + 2, new Set(['IF', 'EXISTS', 'ONLY']));
      if (name) out.tables.push(name);
      const rest = words.slice(2).map((w) => w.value);
      if (rest.includes('DROP')) out.object = rest.includes('PARTITION') ? 'partition' : 'column';
      if (rest.includes('DELETE')) out.verb = 'delete'; // ClickHouse mutation: ALTER TABLE t DELETE WHERE …
      break;
    }
    default:
      break;
  }
  return out;
}

/**
 * Reads MongoDB shell code (`mongosh --eval '…'`, `mongo --eval`) into the statements the SQL
 * rules understand, so dropping a database or a collection and emptying one are judged like
 * their SQL twins: `db.dropDatabase()` → DROP DATABASE, `db.c.drop()` → DROP COLLECTION,
 * `db.c.deleteMany({})` / `remove({})` → DELETE without WHERE (an empty filter matches every
 * document), `updateMany({}, …)` → UPDATE without WHERE, `find`/`countDocuments`/… → SELECT.
 * Collections are named as `db.c`, `db.getCollection('c')` or `db['c']`, optionally under
 * `db.getSiblingDB('d')` (then the table is `d.c`). Calls are found by their shape, argument
 * lists read with bracket and quote nesting; code that matches no known call yields nothing.
 */
import type { SqlStatement } from './sql-statement.js';

type Reading = Pick<SqlStatement, 'verb' | 'object'> & { filtered: 'always' | 'never' | 'first_arg' };

const COLLECTION_METHODS: Record<string, Reading> = {
  drop: { verb: 'drop', object: 'collection', filtered: 'never' },
  deleteMany: { verb: 'delete', object: '', filtered: 'first_arg' },
  remove: { verb: 'delete', object: '', filtered: 'first_arg' },
  deleteOne: { verb: 'delete', object: '', filtered: 'always' },
  findOneAndDelete: { verb: 'delete', object: '', filtered: 'always' },
  updateMany: { verb: 'update', object: '', filtered: 'first_arg' },
  update: { verb: 'update', object: '', filtered: 'first_arg' },
  updateOne: { verb: 'update', object: '', filtered: 'always' },
  replaceOne: { verb: 'update', object: '', filtered: 'always' },
  findOneAndUpdate: { verb: 'update', object: '', filtered: 'always' },
  findOneAndReplace: { verb: 'update', object: '', filtered: 'always' },
  find: { verb: 'select', object: '', filtered: 'always' },
  findOne: { verb: 'select', object: '', filtered: 'always' },
  countDocuments: { verb: 'select', object: '', filtered: 'always' },
  estimatedDocumentCount: { verb: 'select', object: '', filtered: 'always' },
  count: { verb: 'select', object: '', filtered: 'always' },
  distinct: { verb: 'select', object: '', filtered: 'always' },
  aggregate: { verb: 'select', object: '', filtered: 'always' },
  stats: { verb: 'select', object: '', filtered: 'always' },
  getIndexes: { verb: 'select', object: '', filtered: 'always' },
  insertOne: { verb: 'insert', object: '', filtered: 'always' },
  insertMany: { verb: 'insert', object: '', filtered: 'always' },
  insert: { verb: 'insert', object: '', filtered: 'always' },
  bulkWrite: { verb: 'insert', object: '', filtered: 'always' },
  createIndex: { verb: 'create', object: 'index', filtered: 'always' },
  createIndexes: { verb: 'create', object: 'index', filtered: 'always' },
  dropIndex: { verb: 'drop', object: 'index', filtered: 'always' },
  dropIndexes: { verb: 'drop', object: 'index', filtered: 'always' },
  renameCollection: { verb: 'alter', object: 'collection', filtered: 'always' },
};

const DATABASE_METHODS: Record<string, Reading> = {
  dropDatabase: { verb: 'drop', object: 'database', filtered: 'never' },
  getCollectionNames: { verb: 'select', object: '', filtered: 'always' },
  getCollectionInfos: { verb: 'select', object: '', filtered: 'always' },
  stats: { verb: 'select', object: '', filtered: 'always' },
};

const STR = String.raw`\s*(?:'([^']*)'|"([^"]*)")\s*`;
const SIBLING = String.raw`(?:\s*\.\s*getSiblingDB\s*\(${STR}\))?`;
const COLLECTION = String.raw`(?:\s*\.\s*([A-Za-z_$][\w$-]*)|\s*\.\s*getCollection\s*\(${STR}\)|\s*\[${STR}\])`;
const COLLECTION_CALL = new RegExp(String.raw`(?<![\w$.])db${SIBLING}${COLLECTION}\s*\.\s*([A-Za-z]+)\s*\(`, 'g');
const DATABASE_CALL = new RegExp(String.raw`(?<![\w$.])db${SIBLING}\s*\.\s*([A-Za-z]+)\s*\(`, 'g');

/** The first top-level argument of the call whose `(` ends at `open` (quotes and nesting respected). */
function firstArgument(code: string, open: number): string {
  let depth = 0;
  let quote = '';
  for (let i = open; i < code.length; i++) {
    const c = code[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
      continue;
    }
    if (c === '"' || c === "'" || c === '`') quote = c;
    else if (c === '(' || c === '{' || c === '[') depth++;
    else if (c === ')' || c === '}' || c === ']') {
      if (depth === 0) return code.slice(open, i);
      depth--;
    } else if (c === ',' && depth === 0) return code.slice(open, i);
  }
  return code.slice(open);
}

const matchesEverything = (filter: string): boolean => /^(?:\{\s*\}|)$/.test(filter.trim());

function statement(r: Reading, table: string | undefined, filter: () => string): SqlStatement {
  const has_where = r.filtered === 'always' ? true : r.filtered === 'never' ? false : !matchesEverything(filter());
  return { verb: r.verb, object: r.object, tables: table ? [table] : [], has_where, parsed: true };
}

export function parseMongoShell(code: string): SqlStatement[] {
  const found: Array<{ at: number; st: SqlStatement }> = [];
  for (const m of code.matchAll(COLLECTION_CALL)) {
    const [, s1, s2, plain, g1, g2, b1, b2, method] = m;
    const reading = COLLECTION_METHODS[method!];
    const collection = plain ?? g1 ?? g2 ?? b1 ?? b2;
    if (!reading || collection === undefined || collection === 'getSiblingDB' || collection === 'getCollection') continue;
    const sibling = s1 ?? s2;
    const end = m.index + m[0].length;
    found.push({ at: m.index, st: statement(reading, sibling ? `${sibling}.${collection}` : collection, () => firstArgument(code, end)) });
  }
  for (const m of code.matchAll(DATABASE_CALL)) {
    const [, s1, s2, method] = m;
    const reading = DATABASE_METHODS[method!];
    if (!reading) continue;
    found.push({ at: m.index, st: statement(reading, s1 ?? s2, () => '') });
  }
  return found.sort((a, b) => a.at - b.at).map((f) => f.st);
}

/**
 * Turns the single-server statements of the migrations into the statements of a ClickHouse
 * cluster (CLICKHOUSE_CLUSTER). The `.sql` files stay written for one server; on a cluster:
 *
 *   * every DDL statement runs `ON CLUSTER <cluster>`;
 *   * a table with a MergeTree-family engine becomes two: `<name>_local`, the data, with the
 *     engine's Replicated form (`ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/<db>/<name>',
 *     '{replica}', <the engine's own arguments>)`; `{shard}` and `{replica}` are the servers'
 *     macros), and `<name>`, a `Distributed` table in front of it for reads and inserts, sharded
 *     by `cityHash64(tenant, session_id)` — or by the hash of the sorting key for a table without
 *     those columns — so the names the rest of Warden uses are the Distributed ones, a session's
 *     rows of every table live on one shard, and rows that collapse at merge (ReplacingMergeTree,
 *     AggregatingMergeTree) always meet on the same shard;
 *   * a materialized view reads the local table and writes to the local table (`TO`): it fires on
 *     the shard where the insert landed, with that shard's block;
 *   * ALTER applies to the local table, and to the Distributed one too when it changes columns;
 *     DROP removes both (`SYNC`, so the replica path is free for a table created again);
 *   * `non_replicated_deduplication_window` becomes `replicated_deduplication_window`;
 *   * INSERT … SELECT is left alone: it reads and writes the Distributed tables.
 *
 * It reads each statement's shape (which statement, which table, the engine clause, the columns,
 * the sorting key) from the text outside quotes and brackets; it does not parse SQL in full. A
 * statement it does not know how to run on a cluster (RENAME, a materialized view without `TO`, an
 * engine already Replicated, a table without any sorting key to shard by, …) is an
 * INVALID_MIGRATION error naming it, never sent on unchanged. State carries across statements
 * (which names are Distributed fronts), so feed it every migration in order, applied or not.
 */
import { PermanentError } from '../lib/errors.js';
import { checkIdentifier } from './sql-template.js';

export const LOCAL_SUFFIX = '_local';

/**
 * What every query of Warden's needs on a cluster (openClickHouse applies it with `cluster`):
 *   * `insert_distributed_sync`: an insert into a Distributed table is acknowledged once the
 *     shards hold it, not once it is spooled on the node that took it — offsets are committed
 *     after ClickHouse acknowledged, so that must mean stored;
 *   * `distributed_product_mode = 'global'`: the sessions list and the rebuild pick sessions with
 *     `IN (SELECT … ORDER BY … LIMIT …)` over Distributed tables; ClickHouse refuses that by
 *     default, and `'local'` would take each shard's own top sessions instead of the overall ones.
 */
export const CLUSTER_QUERY_SETTINGS = { insert_distributed_sync: 1, distributed_product_mode: 'global' } as const;

/** ZooKeeper path of a replicated table: one per shard, named by the table's Warden name. */
export function replicaPath(database: string, table: string): string {
  return `/clickhouse/tables/{shard}/${database}/${table}`;
}

const NAME = String.raw`(?:([A-Za-z_][A-Za-z0-9_]*)\.)?([A-Za-z_][A-Za-z0-9_]*)`;
const IF_NOT_EXISTS = String.raw`(IF\s+NOT\s+EXISTS\s+)?`;
const IF_EXISTS = String.raw`(IF\s+EXISTS\s+)?`;
const COLUMN_COMMAND = /^(ADD|DROP|MODIFY|RENAME|COMMENT)\s+COLUMN\b/i;
const CLAUSE_AFTER_ORDER_BY = /\b(PRIMARY\s+KEY|SAMPLE\s+BY|TTL|SETTINGS|PARTITION\s+BY|COMMENT)\b/i;

export interface ClusterDdlOptions {
  cluster: string;
  /** The migrations' database (`{database}`): unqualified names mean this one. */
  database: string;
}

export class ClusterDdl {
  readonly cluster: string;
  readonly database: string;
  /** Tables (database.name) that are a Distributed front of `<name>_local`. */
  private readonly fronted = new Set<string>();

  constructor(options: ClusterDdlOptions) {
    this.cluster = checkIdentifier(options.cluster, 'cluster');
    this.database = checkIdentifier(options.database, 'database');
  }

  /** Whether `database.table` is a Distributed table in front of a local one. */
  isDistributed(database: string, table: string): boolean {
    return this.fronted.has(`${database}.${table}`);
  }

  /** `CREATE DATABASE` on every node: openClickHouse creates it only on the one it reaches. */
  createDatabase(): string {
    return `CREATE DATABASE IF NOT EXISTS ${this.database} ON CLUSTER ${this.cluster}`;
  }

  /** The statements to run on the cluster in place of one single-server statement. */
  transform(statement: string): string[] {
    const sql = stripComments(statement).trim();
    const kind = /^(CREATE\s+MATERIALIZED\s+VIEW|CREATE\s+(?:OR\s+REPLACE\s+)?VIEW|CREATE\s+TABLE|ALTER\s+TABLE|DROP\s+(?:TABLE|VIEW)|INSERT\s+INTO|TRUNCATE\s+TABLE|OPTIMIZE\s+TABLE)\b/i.exec(sql);
    const head = (kind?.[1] ?? '').replace(/\s+/g, ' ').toUpperCase();
    if (head === 'CREATE TABLE') return this.createTable(sql);
    if (head === 'CREATE MATERIALIZED VIEW') return this.createMaterializedView(sql);
    if (head.startsWith('CREATE') && head.endsWith('VIEW')) return [this.onCluster(sql, head)];
    if (head === 'ALTER TABLE') return this.alterTable(sql);
    if (head.startsWith('DROP')) return this.drop(sql);
    if (head === 'INSERT INTO') return [sql];
    if (head === 'TRUNCATE TABLE' || head === 'OPTIMIZE TABLE') return [this.onCluster(sql, head, true)];
    throw unsupported(sql, 'only CREATE TABLE / VIEW / MATERIALIZED VIEW, ALTER TABLE, DROP, INSERT, TRUNCATE and OPTIMIZE are translated');
  }

  private qualify(db: string | undefined, table: string): string {
    return `${db ?? this.database}.${table}`;
  }

  /** `<head> [IF [NOT] EXISTS] name …` → the same with ON CLUSTER after the name (and the local name when asked). */
  private onCluster(sql: string, head: string, toLocal = false): string {
    const m = new RegExp(String.raw`^${head.replace(/ /g, String.raw`\s+`)}\s+${IF_NOT_EXISTS}${IF_EXISTS}${NAME}`, 'i').exec(sql);
    if (!m) throw unsupported(sql, 'no table name after the statement keyword');
    const [whole, ifNotExists = '', ifExists = '', db, table] = m as unknown as [string, string | undefined, string | undefined, string | undefined, string];
    const name = toLocal && this.isDistributed(db ?? this.database, table) ? `${table}${LOCAL_SUFFIX}` : table;
    return `${head} ${ifNotExists}${ifExists}${this.qualify(db, name)} ON CLUSTER ${this.cluster}${sql.slice(whole.length)}`;
  }

  private createTable(sql: string): string[] {
    const m = new RegExp(String.raw`^CREATE\s+TABLE\s+${IF_NOT_EXISTS}${NAME}`, 'i').exec(sql);
    if (!m) throw unsupported(sql, 'no table name');
    const [whole, ifNotExists = '', dbGiven, table] = m as unknown as [string, string | undefined, string | undefined, string];
    const db = dbGiven ?? this.database;
    const body = sql.slice(whole.length);
    const mask = maskNested(body);
    const engine = /\bENGINE\s*=\s*([A-Za-z]*)\b/i.exec(mask);
    if (!engine) throw unsupported(sql, 'a table without an ENGINE clause');
    const engineName = engine[1]!;
    if (/^Replicated/i.test(engineName)) throw unsupported(sql, 'migrations are written for one server; the runner adds Replicated');
    if (!/MergeTree$/i.test(engineName)) {
      // Memory, Null, Log…: one per node, no replication, no front.
      return [`CREATE TABLE ${ifNotExists}${db}.${table} ON CLUSTER ${this.cluster}${body}`];
    }
    const shardingKey = this.shardingKey(sql, body, mask);
    const local = `${table}${LOCAL_SUFFIX}`;
    let argsStart = engine.index + engine[0].length;
    while (body[argsStart] === ' ') argsStart++;
    let args = '';
    let engineEnd = engine.index + engine[0].length;
    if (body[argsStart] === '(') {
      const close = matchingParen(body, argsStart);
      args = body.slice(argsStart + 1, close).trim();
      engineEnd = close + 1;
    }
    const replicated =
      `ENGINE = Replicated${engineName}('${replicaPath(db, table)}', '{replica}'${args ? `, ${args}` : ''})`;
    const localBody = (body.slice(0, engine.index) + replicated + body.slice(engineEnd)).replace(
      /\bnon_replicated_deduplication_window\b/g,
      'replicated_deduplication_window',
    );
    this.fronted.add(`${db}.${table}`);
    return [
      `CREATE TABLE ${ifNotExists}${db}.${local} ON CLUSTER ${this.cluster}${localBody}`,
      `CREATE TABLE ${ifNotExists}${db}.${table} ON CLUSTER ${this.cluster} AS ${db}.${local}\n` +
        `ENGINE = Distributed('${this.cluster}', '${db}', '${local}', ${shardingKey})`,
    ];
  }

  /** cityHash64(tenant, session_id) when the table has both; else the hash of its sorting key. */
  private shardingKey(sql: string, body: string, mask: string): string {
    const columns = columnNames(body);
    if (columns.has('tenant') && columns.has('session_id')) return 'cityHash64(tenant, session_id)';
    const orderBy = /\bORDER\s+BY\s+/i.exec(mask);
    if (orderBy) {
      const from = orderBy.index + orderBy[0].length;
      const rest = mask.slice(from);
      const next = CLAUSE_AFTER_ORDER_BY.exec(rest);
      let key = body.slice(from, from + (next ? next.index : rest.length)).trim();
      if (key.startsWith('(') && matchingParen(key, 0) === key.length - 1) key = key.slice(1, -1).trim();
      if (key !== '' && !/^tuple\(\s*\)$/i.test(key)) return `cityHash64(${key})`;
    }
    throw unsupported(sql, 'no tenant and session_id columns and no sorting key to shard by');
  }

  private createMaterializedView(sql: string): string[] {
    const m = new RegExp(String.raw`^CREATE\s+MATERIALIZED\s+VIEW\s+${IF_NOT_EXISTS}${NAME}\s+TO\s+${NAME}`, 'i').exec(sql);
    if (!m) throw unsupported(sql, 'on a cluster a materialized view must write TO a table (an inner table would hold one shard\'s rows)');
    const [whole, ifNotExists = '', db, view, toDb, toTable] = m as unknown as [string, string | undefined, string | undefined, string, string | undefined, string];
    const select = this.readLocal(sql.slice(whole.length));
    return [`CREATE MATERIALIZED VIEW ${ifNotExists}${this.qualify(db, view)} ON CLUSTER ${this.cluster} TO ${this.localOf(toDb, toTable)}${select}`];
  }

  /** The local table behind a Distributed name, or the name itself. */
  private localOf(db: string | undefined, table: string): string {
    const database = db ?? this.database;
    return this.isDistributed(database, table) ? `${database}.${table}${LOCAL_SUFFIX}` : this.qualify(db, table);
  }

  /** Every `FROM name` / `JOIN name` naming a Distributed front → its local table. */
  private readLocal(select: string): string {
    const mask = maskQuotes(select);
    const re = new RegExp(String.raw`\b(FROM|JOIN)(\s+)${NAME}\b`, 'gi');
    let out = '';
    let last = 0;
    for (const m of mask.matchAll(re)) {
      const [whole, keyword, space, db, table] = m as unknown as [string, string, string, string | undefined, string];
      if (!this.isDistributed(db ?? this.database, table)) continue; // a column (ARRAY JOIN), a view, a local table
      out += select.slice(last, m.index) + keyword + space + this.localOf(db, table);
      last = m.index + whole.length;
    }
    return out + select.slice(last);
  }

  private alterTable(sql: string): string[] {
    const m = new RegExp(String.raw`^ALTER\s+TABLE\s+${NAME}\s+`, 'i').exec(sql);
    if (!m) throw unsupported(sql, 'no table name');
    const [whole, dbGiven, table] = m as unknown as [string, string | undefined, string];
    const db = dbGiven ?? this.database;
    const rest = sql.slice(whole.length);
    if (!this.isDistributed(db, table)) return [`ALTER TABLE ${db}.${table} ON CLUSTER ${this.cluster} ${rest}`];
    const mask = maskNested(rest);
    const settings = /\bSETTINGS\b/i.exec(mask);
    const commands = splitTopLevel(rest.slice(0, settings ? settings.index : rest.length)).map((c) => c.trim());
    const columnCommands = commands.filter((c) => COLUMN_COMMAND.test(c)).length;
    const local = `ALTER TABLE ${db}.${table}${LOCAL_SUFFIX} ON CLUSTER ${this.cluster} ${rest}`;
    if (columnCommands === 0) return [local];
    if (columnCommands !== commands.length) {
      throw unsupported(sql, 'one ALTER mixes column changes (which the Distributed table needs too) with others; split it');
    }
    const front = `ALTER TABLE ${db}.${table} ON CLUSTER ${this.cluster} ${rest}`;
    // A dropped column leaves the front first (reads never name a column the shards lack); any
    // other change reaches the shards first.
    return commands.every((c) => /^DROP\b/i.test(c)) ? [front, local] : [local, front];
  }

  private drop(sql: string): string[] {
    const m = new RegExp(String.raw`^DROP\s+(TABLE|VIEW)\s+${IF_EXISTS}${NAME}(?:\s+SYNC)?$`, 'i').exec(sql);
    if (!m) throw unsupported(sql, 'DROP TABLE | VIEW [IF EXISTS] name [SYNC] only');
    const [, what, ifExists = '', dbGiven, table] = m as unknown as [string, string, string | undefined, string | undefined, string];
    const db = dbGiven ?? this.database;
    const drop = (name: string) => `DROP ${what.toUpperCase()} ${ifExists}${db}.${name} ON CLUSTER ${this.cluster} SYNC`;
    if (!this.isDistributed(db, table)) return [drop(table)];
    this.fronted.delete(`${db}.${table}`);
    return [drop(table), drop(`${table}${LOCAL_SUFFIX}`)];
  }
}

function unsupported(sql: string, why: string): PermanentError {
  const first = sql.split('\n')[0]!.slice(0, 120);
  return new PermanentError('INVALID_MIGRATION', `cannot run on a ClickHouse cluster (${why}): ${first}`);
}

/** Removes `-- …` and `/* … *\/` comments outside quoted text. */
export function stripComments(sql: string): string {
  let out = '';
  for (let i = 0; i < sql.length; ) {
    const c = sql[i]!;
    if (c === "'" || c === '"' || c === '`') {
      const end = quoteEnd(sql, i);
      out += sql.slice(i, end);
      i = end;
    } else if (c === '-' && sql[i + 1] === '-') {
      while (i < sql.length && sql[i] !== '\n') i++;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 2;
      out += ' ';
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Index just past the quoted text that starts at `start` (backslash and doubled-quote escapes). */
function quoteEnd(sql: string, start: number): number {
  const q = sql[start];
  for (let i = start + 1; i < sql.length; i++) {
    if (sql[i] === '\\') i++;
    else if (sql[i] === q) {
      if (sql[i + 1] === q) i++;
      else return i + 1;
    }
  }
  return sql.length;
}

/** Same length as `sql`, with quoted text blanked: keywords found in it are real ones. */
function maskQuotes(sql: string): string {
  let out = '';
  for (let i = 0; i < sql.length; ) {
    const c = sql[i]!;
    if (c === "'" || c === '"' || c === '`') {
      const end = quoteEnd(sql, i);
      out += c + ' '.repeat(Math.max(0, end - i - 2)) + (end - i >= 2 ? sql[end - 1] : '');
      i = end;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Same length as `sql`, with quoted text and everything inside brackets blanked: the top level only. */
function maskNested(sql: string): string {
  const quoted = maskQuotes(sql);
  let depth = 0;
  let out = '';
  for (const c of quoted) {
    if (c === '(') {
      out += depth === 0 ? c : ' ';
      depth++;
    } else if (c === ')') {
      depth--;
      out += depth === 0 ? c : ' ';
    } else out += depth === 0 ? c : ' ';
  }
  return out;
}

function matchingParen(sql: string, open: number): number {
  const mask = maskQuotes(sql);
  let depth = 0;
  for (let i = open; i < mask.length; i++) {
    if (mask[i] === '(') depth++;
    else if (mask[i] === ')' && --depth === 0) return i;
  }
  throw new PermanentError('INVALID_MIGRATION', `unbalanced parentheses in: ${sql.slice(open, open + 80)}`);
}

/** Splits at commas outside quotes and brackets. */
function splitTopLevel(sql: string): string[] {
  const mask = maskNested(sql);
  const parts: string[] = [];
  let last = 0;
  for (let i = 0; i < mask.length; i++) {
    if (mask[i] === ',') {
      parts.push(sql.slice(last, i));
      last = i + 1;
    }
  }
  parts.push(sql.slice(last));
  return parts.filter((p) => p.trim() !== '');
}

/** Column names of the column list that opens a CREATE TABLE body (`(a T, b T, INDEX …)`). */
function columnNames(body: string): Set<string> {
  const open = body.search(/\S/);
  if (open < 0 || body[open] !== '(') return new Set();
  const list = body.slice(open + 1, matchingParen(body, open));
  const names = new Set<string>();
  for (const item of splitTopLevel(list)) {
    const m = /^\s*`?([A-Za-z_][A-Za-z0-9_]*)`?/.exec(item);
    if (m && !/^(INDEX|PROJECTION|CONSTRAINT)$/i.test(m[1]!)) names.add(m[1]!);
  }
  return names;
}

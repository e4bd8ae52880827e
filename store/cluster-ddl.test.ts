/**
 * The cluster translation of every migration file in `sql/` (whatever files there are): each
 * MergeTree-family table becomes its Replicated form under `<name>_local` plus a Distributed table
 * under the name the code uses, sharded by tenant and session; every DDL statement runs ON
 * CLUSTER; materialized views read and write the local tables; ALTER and DROP reach both tables.
 * Statements the translation cannot run on a cluster are refused by name. That the output is SQL
 * the engine accepts is cluster-ddl.chdb.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PermanentError } from '../lib/errors.js';
import { ClusterDdl, stripComments } from './cluster-ddl.js';
import { loadMigrations, planMigrations } from './migrations.js';

const DB = 'warden';
const CLUSTER = 'wc';
const values = { database: DB, ttlDays: 90 };

/** The single-server MergeTree tables of a statement list: name → engine name and arguments. */
function mergeTreeTables(statements: string[]): Map<string, { engine: string; args: string }> {
  const tables = new Map<string, { engine: string; args: string }>();
  for (const s of statements.map(stripComments)) {
    const create = /^\s*CREATE TABLE (?:IF NOT EXISTS )?warden\.(\w+)/.exec(s);
    const engine = /ENGINE = (\w*MergeTree)(?:\(([^)]*)\))?/.exec(s);
    if (create && engine) tables.set(create[1]!, { engine: engine[1]!, args: engine[2] ?? '' });
  }
  return tables;
}

const isInvalidMigration = (err: unknown) => err instanceof PermanentError && err.code === 'INVALID_MIGRATION';

describe('cluster DDL: every migration file', async () => {
  const migrations = await loadMigrations();
  const single = planMigrations(migrations, values);
  const cluster = planMigrations(migrations, values, CLUSTER);

  it('covers every file, in order', () => {
    assert.deepEqual(
      cluster.steps.map((s) => s.migration.name),
      single.steps.map((s) => s.migration.name),
    );
    assert.ok(cluster.steps.length >= 10);
  });

  for (const [i, step] of cluster.steps.entries()) {
    const name = step.migration.name;
    const before = single.steps[i]!.statements;
    const after = step.statements;

    it(`${name}: every DDL statement runs ON CLUSTER, no engine is left unreplicated`, () => {
      for (const s of after) {
        if (/^INSERT INTO /.test(s)) {
          assert.doesNotMatch(s, /ON CLUSTER/);
          continue;
        }
        assert.match(s, new RegExp(`^\\w+ [\\w ]*?${DB}\\.\\w+ ON CLUSTER ${CLUSTER}\\b`), s.slice(0, 120));
        assert.doesNotMatch(s, /ENGINE\s*=\s*(?!Replicated)\w*MergeTree/, s.slice(0, 120));
        assert.doesNotMatch(s, /non_replicated_deduplication_window/);
      }
    });

    it(`${name}: each MergeTree table is a Replicated local table behind a Distributed one`, () => {
      for (const [table, { engine, args }] of mergeTreeTables(before)) {
        const ine = (s: string) => s.replace('CREATE TABLE IF NOT EXISTS ', 'CREATE TABLE ');
        const local = after.find((s) => ine(s).startsWith(`CREATE TABLE ${DB}.${table}_local ON CLUSTER ${CLUSTER}\n`));
        assert.ok(local, `${table}_local is created`);
        const replicated = `ENGINE = Replicated${engine}('/clickhouse/tables/{shard}/${DB}/${table}', '{replica}'${args ? `, ${args}` : ''})`;
        assert.ok(local.includes(replicated), `${table}: ${replicated}`);
        const front = after.find((s) => ine(s).startsWith(`CREATE TABLE ${DB}.${table} ON CLUSTER`));
        assert.ok(front, `${table} is created in front`);
        assert.equal(
          ine(front),
          `CREATE TABLE ${DB}.${table} ON CLUSTER ${CLUSTER} AS ${DB}.${table}_local\n` +
            `ENGINE = Distributed('${CLUSTER}', '${DB}', '${table}_local', cityHash64(tenant, session_id))`,
        );
        assert.ok(after.indexOf(local) < after.indexOf(front), 'the local table exists before the Distributed one');
      }
    });

    it(`${name}: materialized views read and write local tables; fills go through the Distributed ones`, () => {
      for (const s of after.filter((x) => x.startsWith('CREATE MATERIALIZED VIEW'))) {
        assert.match(s, new RegExp(` TO ${DB}\\.\\w+_local AS`));
        const sources = [...s.matchAll(/\b(?:FROM|JOIN)\s+(\w+\.\w+)/g)].map((m) => m[1]!);
        assert.ok(sources.length > 0);
        for (const source of sources) assert.match(source, /_local$/, `${name} view reads ${source}`);
      }
      const fills = after.filter((x) => x.startsWith('INSERT INTO'));
      assert.deepEqual(fills, before.map((x) => stripComments(x).trim()).filter((x) => x.startsWith('INSERT INTO')));
    });
  }

  it('the tables every later file names are Distributed fronts (ALTER and DROP reach both)', () => {
    const byName = new Map(cluster.steps.map((s) => [s.migration.name, s.statements]));
    assert.deepEqual(byName.get('021_exit_code_int64.sql'), [
      `ALTER TABLE ${DB}.audit_events_local ON CLUSTER ${CLUSTER} MODIFY COLUMN exit_code Nullable(Int64)`,
      `ALTER TABLE ${DB}.audit_events ON CLUSTER ${CLUSTER} MODIFY COLUMN exit_code Nullable(Int64)`,
    ]);
    // A TTL is the local table's alone: a Distributed table has none.
    const ttl = byName.get('022_ttl_without_wrap.sql')!;
    assert.equal(ttl.length, 1);
    assert.match(ttl[0]!, new RegExp(`^ALTER TABLE ${DB}\\.audit_events_local ON CLUSTER ${CLUSTER} MODIFY TTL `));
    const drops = byName.get('032_activity_tables.sql')!.filter((s) => s.startsWith('DROP'));
    assert.deepEqual(drops, [
      `DROP VIEW IF EXISTS ${DB}.session_index_mv ON CLUSTER ${CLUSTER} SYNC`,
      `DROP TABLE IF EXISTS ${DB}.session_index ON CLUSTER ${CLUSTER} SYNC`,
      `DROP TABLE IF EXISTS ${DB}.session_index_local ON CLUSTER ${CLUSTER} SYNC`,
    ]);
  });

  it('schema_migrations is replicated and read through a Distributed table too, after the database exists on every node', () => {
    assert.deepEqual(single.setup.length, 1);
    assert.equal(cluster.setup[0], `CREATE DATABASE IF NOT EXISTS ${DB} ON CLUSTER ${CLUSTER}`);
    assert.match(cluster.setup[1]!, /schema_migrations_local ON CLUSTER wc[\s\S]*ReplicatedReplacingMergeTree\('\/clickhouse\/tables\/\{shard\}\/warden\/schema_migrations', '\{replica\}', applied_at\)/);
    // No tenant or session here: sharded by the sorting key, so one version's rows meet at merge.
    assert.match(cluster.setup[2]!, /ENGINE = Distributed\('wc', 'warden', 'schema_migrations_local', cityHash64\(version\)\)$/);
  });
});

describe('cluster DDL: statements it translates or refuses', () => {
  const ddl = () => new ClusterDdl({ cluster: CLUSTER, database: DB });

  it('a table without tenant and session is sharded by its sorting key; a non-MergeTree table is not fronted', () => {
    const d = ddl();
    const out = d.transform(`CREATE TABLE warden.kv (k String, v UInt64) ENGINE = ReplacingMergeTree(v) ORDER BY (k, v) SETTINGS index_granularity = 64`);
    assert.equal(out[1], `CREATE TABLE warden.kv ON CLUSTER wc AS warden.kv_local\nENGINE = Distributed('wc', 'warden', 'kv_local', cityHash64(k, v))`);
    assert.deepEqual(d.transform(`CREATE TABLE warden.buf (k String) ENGINE = Memory`), [`CREATE TABLE warden.buf ON CLUSTER wc (k String) ENGINE = Memory`]);
    assert.equal(d.isDistributed('warden', 'buf'), false);
    // An ALTER that only changes a setting, a TRUNCATE: the local table only.
    assert.deepEqual(d.transform('ALTER TABLE warden.kv MODIFY SETTING index_granularity = 128'), [
      'ALTER TABLE warden.kv_local ON CLUSTER wc MODIFY SETTING index_granularity = 128',
    ]);
    assert.deepEqual(d.transform('TRUNCATE TABLE IF EXISTS warden.kv'), ['TRUNCATE TABLE IF EXISTS warden.kv_local ON CLUSTER wc']);
    // Dropping a column leaves the front first.
    assert.deepEqual(d.transform('ALTER TABLE warden.kv DROP COLUMN v'), [
      'ALTER TABLE warden.kv ON CLUSTER wc DROP COLUMN v',
      'ALTER TABLE warden.kv_local ON CLUSTER wc DROP COLUMN v',
    ]);
  });

  it('quoted text and comments are not read as SQL', () => {
    const d = ddl();
    d.transform(`CREATE TABLE warden.t (tenant String, session_id String, note String DEFAULT 'FROM warden.t') ENGINE = MergeTree ORDER BY tenant`);
    const [view] = d.transform(`-- reads FROM warden.t\nCREATE MATERIALIZED VIEW warden.v TO warden.t AS SELECT tenant, session_id, 'FROM warden.t' AS note FROM warden.t /* JOIN warden.t */`);
    assert.equal(view, `CREATE MATERIALIZED VIEW warden.v ON CLUSTER wc TO warden.t_local AS SELECT tenant, session_id, 'FROM warden.t' AS note FROM warden.t_local`);
  });

  it('refuses what it cannot run on a cluster, naming the statement', () => {
    const d = ddl();
    d.transform(`CREATE TABLE warden.t (tenant String, session_id String) ENGINE = MergeTree ORDER BY tenant`);
    for (const sql of [
      `CREATE MATERIALIZED VIEW warden.v ENGINE = MergeTree ORDER BY tenant AS SELECT * FROM warden.t`,
      `CREATE TABLE warden.r (a String) ENGINE = ReplicatedMergeTree('/p', 'r') ORDER BY a`,
      `CREATE TABLE warden.n (a String) ENGINE = MergeTree ORDER BY tuple()`,
      `RENAME TABLE warden.t TO warden.u`,
      `ALTER TABLE warden.t ADD COLUMN x String, MODIFY TTL now()`,
      `SET allow_experimental_object_type = 1`,
    ]) {
      assert.throws(() => d.transform(sql), isInvalidMigration, sql);
    }
    assert.throws(() => new ClusterDdl({ cluster: 'a; DROP', database: DB }), (err: unknown) => err instanceof PermanentError && err.code === 'CONFIG_INVALID');
  });
});

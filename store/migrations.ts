/**
 * Schema migrations: the numbered `sql/NNN_name.sql` files, applied in order at start. A
 * `schema_migrations` table records each version applied with a checksum of its template, so a
 * second run applies nothing, and editing a migration that was already applied stops the start
 * (write a new migration instead). Statements are `IF NOT EXISTS`, so a crash between applying a
 * file and recording it is repaired by the next run.
 *
 * On a ClickHouse cluster (`cluster`, CLICKHOUSE_CLUSTER) the same files are run through
 * `ClusterDdl` (cluster-ddl.ts): ON CLUSTER, Replicated engines, a Distributed table in front of
 * each, `schema_migrations` included. Every migration is translated, applied or not, since a later
 * file's translation depends on the tables the earlier ones made; the checksums stay those of the
 * files, so switching the setting on an existing database is not seen here (start a cluster on a
 * fresh database).
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClickHouseSettings } from '@clickhouse/client';
import { SETTING_DEFAULTS } from '../config/settings.js';
import { PermanentError } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import { silentLogger } from '../lib/logger.js';
import { ClusterDdl } from './cluster-ddl.js';
import type { ClickHouseHandle } from './open-clickhouse.js';
import { renderSql, splitStatements, type TemplateValues } from './sql-template.js';
import { withStorageErrors } from './storage-errors.js';

export const DEFAULT_MIGRATIONS_DIR = fileURLToPath(new URL('./sql/', import.meta.url));
export const DEFAULT_TTL_DAYS = SETTING_DEFAULTS.WARDEN_TTL_DAYS;
const FILE_NAME = /^(\d{3,})_([a-z0-9_]+)\.sql$/;

export interface Migration {
  version: number;
  name: string;
  template: string;
  checksum: string;
}

export interface MigrateOptions {
  /** Days `audit_events` rows are kept (the table's TTL). */
  ttlDays?: number;
  logger?: Logger;
  /** Folder of `NNN_name.sql` files; defaults to the `sql/` folder beside this module. */
  dir?: string;
  /** ClickHouse cluster (CLICKHOUSE_CLUSTER) to create the tables on; empty: one server. */
  cluster?: string;
}

/** What `migrate` runs: the bookkeeping table first, then each migration's statements. */
export interface MigrationPlan {
  setup: string[];
  steps: { migration: Migration; statements: string[] }[];
}

/**
 * Inserts and reads through a Distributed table on a cluster: an insert returns once the shards
 * stored it (not queued on the node that took it), and INSERT … SELECT reads and writes through
 * the Distributed tables, which is right whatever a migration groups by.
 */
const CLUSTER_SETTINGS: ClickHouseSettings = { insert_distributed_sync: 1, parallel_distributed_insert_select: '0' };

export interface MigrateResult {
  applied: string[];
  skipped: string[];
}

export async function loadMigrations(dir: string = DEFAULT_MIGRATIONS_DIR): Promise<Migration[]> {
  const migrations: Migration[] = [];
  for (const file of (await readdir(dir)).sort()) {
    if (!file.endsWith('.sql')) continue;
    const match = FILE_NAME.exec(file);
    if (!match) throw new PermanentError('INVALID_MIGRATION', `migration file name must be NNN_name.sql: ${file}`);
    const template = await readFile(join(dir, file), 'utf8');
    const checksum = createHash('sha256').update(template).digest('hex');
    migrations.push({ version: Number(match[1]), name: file, template, checksum });
  }
  const versions = migrations.map((m) => m.version);
  if (new Set(versions).size !== versions.length) {
    throw new PermanentError('INVALID_MIGRATION', `duplicate migration version in ${dir}`);
  }
  return migrations;
}

function schemaMigrationsDdl(db: string): string {
  return `CREATE TABLE IF NOT EXISTS ${db}.schema_migrations
        (version UInt32, name String, checksum String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3))
        ENGINE = ReplacingMergeTree(applied_at) ORDER BY version`;
}

/** The statements of every migration, rendered, and translated for `cluster` when one is given. */
export function planMigrations(migrations: readonly Migration[], values: TemplateValues, cluster = ''): MigrationPlan {
  const render = (m: Migration) => splitStatements(renderSql(m.template, values));
  if (cluster === '') {
    return { setup: [schemaMigrationsDdl(values.database)], steps: migrations.map((m) => ({ migration: m, statements: render(m) })) };
  }
  const ddl = new ClusterDdl({ cluster, database: values.database });
  return {
    setup: [ddl.createDatabase(), ...ddl.transform(schemaMigrationsDdl(values.database))],
    steps: migrations.map((m) => ({ migration: m, statements: render(m).flatMap((statement) => ddl.transform(statement)) })),
  };
}

async function appliedMigrations(handle: ClickHouseHandle, setup: readonly string[], settings: ClickHouseSettings): Promise<Map<number, string>> {
  const db = handle.database;
  for (const query of setup) {
    await withStorageErrors('migrate', () => handle.client.command({ query, clickhouse_settings: settings }));
  }
  const rows = await withStorageErrors('migrate', async () => {
    const rs = await handle.client.query({
      query: `SELECT version, checksum FROM ${db}.schema_migrations FINAL`,
      format: 'JSONEachRow',
    });
    return rs.json<{ version: number; checksum: string }>();
  });
  return new Map(rows.map((r) => [Number(r.version), r.checksum]));
}

export async function migrate(handle: ClickHouseHandle, options: MigrateOptions = {}): Promise<MigrateResult> {
  const logger = options.logger ?? silentLogger;
  const cluster = options.cluster ?? '';
  if (cluster !== '' && handle.engine === 'chdb') {
    throw new PermanentError('CONFIG_INVALID', 'CLICKHOUSE_CLUSTER needs a ClickHouse server (CLICKHOUSE_URL): the embedded engine is one node');
  }
  const settings: ClickHouseSettings = cluster === '' ? {} : CLUSTER_SETTINGS;
  const values = { database: handle.database, ttlDays: options.ttlDays ?? DEFAULT_TTL_DAYS };
  const plan = planMigrations(await loadMigrations(options.dir), values, cluster);
  const done = await appliedMigrations(handle, plan.setup, settings);
  const result: MigrateResult = { applied: [], skipped: [] };
  for (const { migration: m, statements } of plan.steps) {
    const recorded = done.get(m.version);
    if (recorded !== undefined) {
      if (recorded !== m.checksum) {
        throw new PermanentError('MIGRATION_CHANGED', `${m.name} changed after it was applied; add a new migration`, {
          details: { version: m.version },
        });
      }
      result.skipped.push(m.name);
      continue;
    }
    for (const statement of statements) {
      await withStorageErrors(`migrate ${m.name}`, () => handle.client.command({ query: statement, clickhouse_settings: settings }));
    }
    await withStorageErrors('migrate', () =>
      handle.client.insert({
        table: `${handle.database}.schema_migrations`,
        format: 'JSONEachRow',
        values: [{ version: m.version, name: m.name, checksum: m.checksum }],
        clickhouse_settings: settings,
      }),
    );
    logger.info({ migration: m.name }, 'migration applied');
    result.applied.push(m.name);
  }
  return result;
}

/**
 * Schema migrations: the numbered `sql/NNN_name.sql` files, applied in order at start. A
 * `schema_migrations` table records each version applied with a checksum of its template, so a
 * second run applies nothing, and editing a migration that was already applied stops the start
 * (write a new migration instead). Statements are `IF NOT EXISTS`, so a crash between applying a
 * file and recording it is repaired by the next run.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SETTING_DEFAULTS } from '../config/settings.js';
import { PermanentError } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import { silentLogger } from '../lib/logger.js';
import type { ClickHouseHandle } from './open-clickhouse.js';
import { renderSql, splitStatements } from './sql-template.js';
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
}

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

async function appliedMigrations(handle: ClickHouseHandle): Promise<Map<number, string>> {
  const db = handle.database;
  await withStorageErrors('migrate', () =>
    handle.client.command({
      query: `CREATE TABLE IF NOT EXISTS ${db}.schema_migrations
        (version UInt32, name String, checksum String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3))
        ENGINE = ReplacingMergeTree(applied_at) ORDER BY version`,
    }),
  );
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
  const values = { database: handle.database, ttlDays: options.ttlDays ?? DEFAULT_TTL_DAYS };
  const migrations = await loadMigrations(options.dir);
  const done = await appliedMigrations(handle);
  const result: MigrateResult = { applied: [], skipped: [] };
  for (const m of migrations) {
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
    for (const statement of splitStatements(renderSql(m.template, values))) {
      await withStorageErrors(`migrate ${m.name}`, () => handle.client.command({ query: statement }));
    }
    await withStorageErrors('migrate', () =>
      handle.client.insert({
        table: `${handle.database}.schema_migrations`,
        format: 'JSONEachRow',
        values: [{ version: m.version, name: m.name, checksum: m.checksum }],
      }),
    );
    logger.info({ migration: m.name }, 'migration applied');
    result.applied.push(m.name);
  }
  return result;
}

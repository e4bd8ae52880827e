/**
 * The storage suite against the embedded engine (chdb), plus migrations: applied twice, the
 * second run changes nothing; an edited migration or an unknown placeholder stops the start.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PermanentError } from '../lib/errors.js';
import { openTempChdb, type TempChdb } from '../test/infra/clickhouse-chdb.js';
import { clickhouseStoreSuite } from '../test/infra/clickhouse-store-suite.js';
import { loadMigrations, migrate } from './migrations.js';
import type { ClickHouseHandle } from './open-clickhouse.js';

let chdb: TempChdb;
before(async () => {
  chdb = await openTempChdb('warden_chdb_test');
});
after(async () => {
  await chdb?.cleanup();
});

describe('migrations (chdb)', () => {
  it('apply once, then a second run applies nothing', async () => {
    const files = (await loadMigrations()).map((m) => m.name);
    assert.deepEqual(files.slice(0, 4), [
      '001_audit_events.sql',
      '002_sessions.sql',
      '003_findings.sql',
      '004_revocations.sql',
    ]);
    const first = await migrate(chdb.handle, { ttlDays: 3650 });
    assert.deepEqual(first, { applied: files, skipped: [] });
    const second = await migrate(chdb.handle, { ttlDays: 3650 });
    assert.deepEqual(second, { applied: [], skipped: files });
    const rs = await chdb.handle.client.query({
      query: `SELECT count() AS n FROM ${chdb.handle.database}.schema_migrations`,
      format: 'JSONEachRow',
    });
    assert.deepEqual(await rs.json(), [{ n: String(files.length) }]);
    const ddl = await chdb.handle.client.query({
      query: `SHOW CREATE TABLE ${chdb.handle.database}.audit_events`,
      format: 'JSONEachRow',
    });
    const [{ statement }] = await ddl.json<{ statement: string }>();
    assert.match(statement!, /toIntervalDay\(3650\)|INTERVAL 3650 DAY/);
    assert.match(statement!, /non_replicated_deduplication_window = 10000/);
  });

  it('refuses a migration edited after it was applied, and unknown placeholders', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'warden-migrations-'));
    const handle: ClickHouseHandle = { ...chdb.handle, database: 'warden_migration_edit' };
    try {
      await handle.client.command({ query: 'CREATE DATABASE IF NOT EXISTS warden_migration_edit' });
      await writeFile(join(dir, '001_x.sql'), 'CREATE TABLE IF NOT EXISTS {database}.x (a UInt8) ENGINE = MergeTree ORDER BY a;\n');
      assert.deepEqual((await migrate(handle, { dir })).applied, ['001_x.sql']);
      await writeFile(join(dir, '001_x.sql'), 'CREATE TABLE IF NOT EXISTS {database}.x (a UInt16) ENGINE = MergeTree ORDER BY a;\n');
      await assert.rejects(migrate(handle, { dir }), { code: 'MIGRATION_CHANGED' });
      await writeFile(join(dir, '002_y.sql'), 'SELECT {tenant}');
      await rm(join(dir, '001_x.sql'));
      await assert.rejects(migrate(handle, { dir }), (err: unknown) => err instanceof PermanentError && err.code === 'INVALID_MIGRATION');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('audit store (chdb)', () => {
  before(async () => {
    await migrate(chdb.handle, { ttlDays: 3650 });
  });
  clickhouseStoreSuite(() => chdb.handle, { label: 'chdb', bulkEvents: 100_000 });
});

/**
 * verifyLogWithMirror against the embedded engine (chdb) and the real mirror: records appended
 * through the revocation log reach the `revocations` table, then the file is cut or rewritten.
 * A clean log is intact; a record not mirrored yet is a warning; the last record cut off the
 * file, a consistently rewritten chain and a removed file are tampering (the file alone still
 * verifies); an unreachable mirror leaves the verdict unchecked unless the check was skipped on
 * request. Each case has its own database, so the mirror holds only that case's log.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { migrate } from '../../store/migrations.js';
import type { ClickHouseHandle } from '../../store/open-clickhouse.js';
import { RetryableError } from '../../lib/errors.js';
import { silentLogger } from '../../lib/logger.js';
import { Metrics } from '../../lib/metrics.js';
import { openTempChdb, type TempChdb } from '../../test/infra/clickhouse-chdb.js';
import { ClickHouseRevocationMirror } from '../../store/revocation-mirror.js';
import type { RevocationRecord } from './contracts.js';
import { firstTampering } from './mirror-cross-check.js';
import { mirrorTable, readMirrorRows, selectThrough } from '../../store/revocation-mirror-rows.js';
import { GENESIS_HASH, sealRecord, serializeRecord, type RevocationEntry } from './record-chain.js';
import { RevocationLog } from './revocation-log.js';
import { verifyLog, verifyLogWithMirror, type MirrorSource } from './verify-log.js';

let chdb: TempChdb;
let dir: string;
let databases = 0;
before(async () => {
  chdb = await openTempChdb('warden_verify_test');
  dir = await mkdtemp(join(tmpdir(), 'warden-verify-'));
});
after(async () => {
  await chdb?.cleanup();
  await rm(dir, { recursive: true, force: true });
});

function entry(i: number, reason = `reason ${i}`): RevocationEntry {
  return { at: `2026-01-01T00:00:0${i}.12345678${i}Z`, tenant: 't1', session_id: `s${i}`, action: i % 2 ? 'revoke' : 'reinstate', by: 'operator:kim', reason, finding_id: i === 1 ? 'f1' : null };
}

/** A fresh database with Warden's schema, as a handle of its own. */
async function freshStorage(migrated = true): Promise<ClickHouseHandle> {
  const handle = { ...chdb.handle, database: `warden_verify_${++databases}` };
  await chdb.handle.client.command({ query: `CREATE DATABASE IF NOT EXISTS ${handle.database}` });
  if (migrated) await migrate(handle);
  return handle;
}

function sourceOf(handle: ClickHouseHandle): MirrorSource {
  return { name: `embedded ClickHouse (${handle.database})`, shared: false, rows: () => readMirrorRows(selectThrough(handle), mirrorTable(handle.database)) };
}

/** Appends n records through the log with the real mirror and waits until they are in ClickHouse. */
async function mirroredLog(name: string, n: number): Promise<{ file: string; storage: ClickHouseHandle; records: RevocationRecord[] }> {
  const storage = await freshStorage();
  const file = join(dir, name);
  const mirror = new ClickHouseRevocationMirror({ handle: storage, logger: silentLogger, metrics: new Metrics() });
  const log = await RevocationLog.open({ file, logger: silentLogger, mirror });
  const records: RevocationRecord[] = [];
  for (let i = 1; i <= n; i++) records.push(await log.append(entry(i)));
  await mirror.flush();
  mirror.close();
  await log.close();
  return { file, storage, records };
}

async function writeRecords(file: string, records: readonly RevocationRecord[]): Promise<void> {
  await writeFile(file, records.map((r) => `${serializeRecord(r)}\n`).join(''));
}

describe('verifyLogWithMirror (chdb, real mirror)', () => {
  it('a clean log matching its mirror is intact', async () => {
    const { file, storage } = await mirroredLog('clean.log', 3);
    const v = await verifyLogWithMirror(file, sourceOf(storage));
    assert.equal(v.verdict, 'intact');
    assert.equal(v.mirror.status, 'checked');
    assert.ok(v.mirror.status === 'checked');
    assert.deepEqual([v.mirror.rows, v.mirror.check.matched, v.mirror.check.findings], [3, 3, []]);
  });

  it('a record not mirrored yet is a warning, not tampering', async () => {
    const { file, storage } = await mirroredLog('lagging.log', 2);
    const log = await RevocationLog.open({ file, logger: silentLogger });
    const late = await log.append(entry(3));
    await log.close();
    const v = await verifyLogWithMirror(file, sourceOf(storage));
    assert.equal(v.verdict, 'intact');
    assert.ok(v.mirror.status === 'checked');
    assert.deepEqual(v.mirror.check.findings, [{ kind: 'not_mirrored', seq: 3, hash: late.hash }]);
  });

  it('the last record cut off the file is tampering, though the file alone verifies', async () => {
    const { file, storage, records } = await mirroredLog('truncated.log', 3);
    await writeRecords(file, records.slice(0, 2));
    assert.deepEqual(await verifyLog(file), { ok: true, records: 2 });
    const v = await verifyLogWithMirror(file, sourceOf(storage));
    assert.equal(v.verdict, 'tampered');
    assert.ok(v.mirror.status === 'checked');
    const first = firstTampering(v.mirror.check)!;
    assert.deepEqual([first.kind, first.seq, first.hash, first.row?.session_id], ['truncated', 3, records[2]!.hash, 's3']);
  });

  it('a consistently rewritten chain with a different record is tampering', async () => {
    const { file, storage, records } = await mirroredLog('rewritten.log', 3);
    const forged2 = sealRecord(entry(2, 'routine cleanup'), 2, records[0]!.hash);
    const forged3 = sealRecord(entry(3), 3, forged2.hash);
    await writeRecords(file, [records[0]!, forged2, forged3]);
    assert.deepEqual(await verifyLog(file), { ok: true, records: 3 });
    const v = await verifyLogWithMirror(file, sourceOf(storage));
    assert.equal(v.verdict, 'tampered');
    assert.ok(v.mirror.status === 'checked');
    const tampering = v.mirror.check.findings.filter((f) => f.kind !== 'not_mirrored');
    assert.deepEqual(tampering.map((f) => [f.kind, f.seq, f.hash, f.fileHash]), [
      ['replaced', 2, records[1]!.hash, forged2.hash],
      ['replaced', 3, records[2]!.hash, forged3.hash],
    ]);
  });

  it('a whole file rewritten from its first record is tampering', async () => {
    const { file, storage, records } = await mirroredLog('replaced.log', 2);
    await writeRecords(file, [sealRecord(entry(1, 'nothing to see'), 1, GENESIS_HASH)]);
    const v = await verifyLogWithMirror(file, sourceOf(storage));
    assert.equal(v.verdict, 'tampered');
    assert.ok(v.mirror.status === 'checked');
    assert.deepEqual(firstTampering(v.mirror.check), { kind: 'replaced', seq: 1, hash: records[0]!.hash, fileHash: v.chain.records[0]!.hash, row: firstTampering(v.mirror.check)!.row });
  });

  it('a removed log file is tampering when the mirror holds records', async () => {
    const { file, storage } = await mirroredLog('removed.log', 2);
    await rm(file);
    const v = await verifyLogWithMirror(file, sourceOf(storage));
    assert.equal(v.verdict, 'tampered');
    assert.equal(v.chain.failure, 'missing');
  });

  it('an edited line is tampering by the chain alone; the mirror is not compared', async () => {
    const { file, storage } = await mirroredLog('edited.log', 2);
    await writeFile(file, (await readFile(file, 'utf8')).replace('reason 1', 'reason one'));
    const v = await verifyLogWithMirror(file, sourceOf(storage));
    assert.equal(v.verdict, 'tampered');
    assert.equal(v.chain.result.firstBadLine, 1);
    assert.equal(v.mirror.status, 'skipped');
  });

  it('an unreachable mirror leaves an intact file unchecked; a requested skip is intact', async () => {
    const { file } = await mirroredLog('offline.log', 1);
    const down: MirrorSource = { name: 'down', shared: false, rows: () => Promise.reject(new RetryableError('STORAGE_UNAVAILABLE', 'ClickHouse read revocations: unavailable')) };
    const v = await verifyLogWithMirror(file, down);
    assert.equal(v.verdict, 'unchecked');
    assert.deepEqual(v.mirror, { status: 'skipped', code: 'STORAGE_UNAVAILABLE', reason: 'ClickHouse read revocations: unavailable', requested: false });
    assert.equal((await verifyLogWithMirror(file, { code: 'SKIPPED', reason: '--no-storage', requested: true })).verdict, 'intact');
  });

  it('a database without the revocations table is REVOCATION_MIRROR_MISSING', async () => {
    const storage = await freshStorage(false);
    await assert.rejects(sourceOf(storage).rows(), { code: 'REVOCATION_MIRROR_MISSING' });
  });

  it('reads every row across pages, duplicates included', async () => {
    const { storage, records } = await mirroredLog('paged.log', 5);
    const table = mirrorTable(storage.database);
    await storage.client.command({ query: `INSERT INTO ${table} SELECT * FROM ${table} WHERE hash = '${records[2]!.hash}'` });
    for (const pageRows of [1, 2, 3, 100]) {
      const rows = await readMirrorRows(selectThrough(storage), table, pageRows);
      assert.equal(rows.length, 6, `page of ${pageRows}`);
      assert.deepEqual(new Set(rows.map((r) => r.hash)), new Set(records.map((r) => r.hash)));
    }
  });
});

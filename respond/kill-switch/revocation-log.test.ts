/**
 * The revocation log: appends chain and survive reopening; verifyLog names the first bad line
 * after a line is edited, deleted, reordered or inserted; a tampered file refuses to open; a torn
 * last line (crash mid-write) is repaired on open.
 */
import assert from 'node:assert/strict';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '../../lib/logger.js';
import type { RevocationRecord } from './contracts.js';
import { GENESIS_HASH, recordHash, type RevocationEntry } from './record-chain.js';
import { RevocationLog } from './revocation-log.js';
import { verifyLog } from './verify-log.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'warden-revlog-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function entry(i: number, action: 'revoke' | 'reinstate' = 'revoke'): RevocationEntry {
  return { at: `2026-01-01T00:00:0${i % 10}.000000001Z`, tenant: 't1', session_id: `s${i}`, action, by: 'operator:kim', reason: `reason ${i} "quoted"\nnewline`, finding_id: i % 2 ? `f${i}` : null };
}

async function writeLog(name: string, n: number): Promise<string> {
  const file = join(dir, name);
  const log = await RevocationLog.open({ file, logger: silentLogger });
  for (let i = 1; i <= n; i++) await log.append(entry(i));
  await log.close();
  return file;
}

async function lines(file: string): Promise<string[]> {
  return (await readFile(file, 'utf8')).split('\n').slice(0, -1);
}

async function rewrite(file: string, ls: string[]): Promise<void> {
  await writeFile(file, ls.map((l) => `${l}\n`).join(''));
}

describe('RevocationLog', () => {
  it('chains records and continues the chain after reopening', async () => {
    const file = join(dir, 'chain.log');
    const first = await RevocationLog.open({ file, logger: silentLogger });
    const r1 = await first.append(entry(1));
    const r2 = await first.append(entry(2, 'reinstate'));
    await first.close();
    assert.equal(r1.seq, 1);
    assert.equal(r1.prev_hash, GENESIS_HASH);
    assert.equal(r2.prev_hash, r1.hash);
    assert.equal(recordHash(r2), r2.hash);
    const second = await RevocationLog.open({ file, logger: silentLogger });
    assert.deepEqual(second.loaded, [r1, r2]);
    const r3 = await second.append(entry(3));
    await second.close();
    assert.equal(r3.seq, 3);
    assert.equal(r3.prev_hash, r2.hash);
    assert.deepEqual(await verifyLog(file), { ok: true, records: 3 });
  });

  it('serializes concurrent appends: consecutive seqs, one valid chain', async () => {
    const file = join(dir, 'concurrent.log');
    const log = await RevocationLog.open({ file, logger: silentLogger });
    const records = await Promise.all(Array.from({ length: 50 }, (_, i) => log.append(entry(i))));
    await log.close();
    assert.deepEqual(records.map((r) => r.seq), Array.from({ length: 50 }, (_, i) => i + 1));
    assert.deepEqual(await verifyLog(file), { ok: true, records: 50 });
  });

  it('hands each appended record to the mirror, and the loaded ones to backfill at open', async () => {
    const file = await writeLog('mirror.log', 2);
    const added: RevocationRecord[] = [];
    let backfilled: readonly RevocationRecord[] = [];
    const log = await RevocationLog.open({ file, logger: silentLogger, mirror: { add: (r) => added.push(r), backfill: (rs) => (backfilled = rs) } });
    const r3 = await log.append(entry(3));
    await log.close();
    assert.equal(backfilled.length, 2);
    assert.deepEqual(added, [r3]);
  });
});

describe('verifyLog detects tampering at the first bad line', () => {
  it('an edited line', async () => {
    const file = await writeLog('edited.log', 5);
    const ls = await lines(file);
    ls[2] = ls[2]!.replace('operator:kim', 'operator:eve');
    await rewrite(file, ls);
    const result = await verifyLog(file);
    assert.equal(result.ok, false);
    assert.equal(result.firstBadLine, 3);
    assert.equal(result.records, 2);
    assert.match(result.problem!, /hash does not match/);
  });

  it('an edited line whose own hash was recomputed breaks at the next line', async () => {
    const file = await writeLog('rehashed.log', 5);
    const ls = await lines(file);
    const r = JSON.parse(ls[1]!) as RevocationRecord;
    r.reason = 'nothing to see';
    r.hash = recordHash(r);
    ls[1] = JSON.stringify(r);
    await rewrite(file, ls);
    const result = await verifyLog(file);
    assert.equal(result.firstBadLine, 3);
    assert.match(result.problem!, /prev_hash/);
  });

  it('a deleted line', async () => {
    const file = await writeLog('deleted.log', 5);
    const ls = await lines(file);
    ls.splice(1, 1);
    await rewrite(file, ls);
    const result = await verifyLog(file);
    assert.equal(result.ok, false);
    assert.equal(result.firstBadLine, 2);
    assert.match(result.problem!, /seq 3 where 2 was expected/);
  });

  it('reordered lines', async () => {
    const file = await writeLog('reordered.log', 5);
    const ls = await lines(file);
    [ls[3], ls[4]] = [ls[4]!, ls[3]!];
    await rewrite(file, ls);
    const result = await verifyLog(file);
    assert.equal(result.firstBadLine, 4);
    assert.equal(result.records, 3);
  });

  it('an inserted line, even one copied from the file', async () => {
    const file = await writeLog('inserted.log', 4);
    const ls = await lines(file);
    ls.splice(2, 0, ls[1]!);
    await rewrite(file, ls);
    const result = await verifyLog(file);
    assert.equal(result.firstBadLine, 3);
  });

  it('a line that is not JSON, and a missing file', async () => {
    const file = await writeLog('garbage.log', 2);
    await appendFile(file, 'hello\n');
    assert.deepEqual(await verifyLog(file), { ok: false, records: 2, firstBadLine: 3, problem: 'not valid JSON' });
    assert.deepEqual(await verifyLog(join(dir, 'absent.log')), { ok: false, records: 0, problem: 'log file not found' });
  });

  it('a tampered log refuses to open (REVOCATION_LOG_CORRUPT) instead of being extended', async () => {
    const file = await writeLog('refuse.log', 3);
    const ls = await lines(file);
    ls[0] = ls[0]!.replace('"revoke"', '"reinstate"');
    await rewrite(file, ls);
    await assert.rejects(RevocationLog.open({ file, logger: silentLogger }), { code: 'REVOCATION_LOG_CORRUPT', details: { firstBadLine: 1, problem: 'hash does not match the record (line edited)' } });
  });

  it('a torn last line (crash mid-write) is reported by verify and repaired on open', async () => {
    const file = await writeLog('torn.log', 3);
    await appendFile(file, '{"seq":4,"at":"2026-');
    const torn = await verifyLog(file);
    assert.equal(torn.ok, false);
    assert.equal(torn.firstBadLine, 4);
    assert.match(torn.problem!, /incomplete last line/);
    const log = await RevocationLog.open({ file, logger: silentLogger });
    assert.equal(log.loaded.length, 3);
    const r4 = await log.append(entry(4));
    await log.close();
    assert.equal(r4.seq, 4);
    assert.deepEqual(await verifyLog(file), { ok: true, records: 4 });
  });
});

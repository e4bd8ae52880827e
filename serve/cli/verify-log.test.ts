/**
 * `warden verify-log` spawned as an operator runs it, over a data directory whose embedded
 * ClickHouse holds the real mirror of the log. While a Warden started over that directory holds
 * the engine, the command reads the mirror through its query API; once it is stopped, directly. Exit 0 intact, 1 for a file cut short or rewritten, 0 again with
 * --no-storage, 2 when there is no mirror to compare with or the command line is wrong.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { migrate } from '../../store/migrations.js';
import { openClickHouse, type ClickHouseHandle } from '../../store/open-clickhouse.js';
import { silentLogger } from '../../lib/logger.js';
import { Metrics } from '../../lib/metrics.js';
import { ClickHouseRevocationMirror } from '../../store/revocation-mirror.js';
import type { RevocationRecord } from '../../respond/kill-switch/contracts.js';
import { sealRecord, serializeRecord } from '../../respond/kill-switch/record-chain.js';
import { RevocationLog } from '../../respond/kill-switch/revocation-log.js';
import { runCli } from '../../test/helpers/run-cli.js';
import { startTestWarden, type TestWarden } from '../../test/helpers/test-warden.js';

const warden = (args: string[], env: Record<string, string>) => runCli(['verify-log', ...args], { env });
const ADMIN_TOKEN = 'wdn_test_verify_admin_0000000';

let dataDir: string;
let file: string;
let env: Record<string, string>;
let storage: ClickHouseHandle | undefined;
let running: TestWarden | undefined;
let records: RevocationRecord[];

const entry = (i: number, reason = `reason ${i}`) => ({ at: `2026-01-01T00:00:0${i}.00000000${i}Z`, tenant: 't1', session_id: `s${i}`, action: 'revoke' as const, by: 'operator:kim', reason, finding_id: null });

async function writeRecords(list: readonly RevocationRecord[]): Promise<void> {
  await writeFile(file, list.map((r) => `${serializeRecord(r)}\n`).join(''));
}

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'warden-verify-cli-'));
  file = join(dataDir, 'revocations.log');
  storage = await openClickHouse({ dataPath: join(dataDir, 'clickhouse'), database: 'warden', logger: silentLogger });
  await migrate(storage);
  const mirror = new ClickHouseRevocationMirror({ handle: storage, logger: silentLogger, metrics: new Metrics() });
  const log = await RevocationLog.open({ file, logger: silentLogger, mirror });
  records = [];
  for (let i = 1; i <= 3; i++) records.push(await log.append(entry(i)));
  await mirror.flush();
  mirror.close();
  await log.close();
  await storage.close();
  storage = undefined;
  // The operator query sees the token's tenant only: the one the log's records belong to.
  running = await startTestWarden({ WARDEN_GRPC: 'false', WARDEN_NORMALIZE_WORKER: 'false' }, { dataDir, tokens: [{ name: 'admin', token: ADMIN_TOKEN, tenant: 't1', roles: ['admin'] }] });
  env = { WARDEN_DATA_DIR: dataDir, WARDEN_URL: running.url, WARDEN_TOKEN: ADMIN_TOKEN };
});

after(async () => {
  await running?.close();
  await storage?.close();
  await rm(dataDir, { recursive: true, force: true });
});

test('while the engine is held (Warden running), the mirror is read through the API', async () => {
  const ok = await warden([], env);
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /^ok: .*revocations\.log: 3 record\(s\), hash chain intact\nok: matches the ClickHouse mirror \(Warden at http:\/\/127\.0\.0\.1:\d+\): 3 record\(s\) in both/);

  const forged = sealRecord(entry(3, 'nothing happened'), 3, records[1]!.hash);
  await writeRecords([records[0]!, records[1]!, forged]);
  const bad = await warden([], env);
  assert.equal(bad.code, 1, bad.stdout + bad.stderr);
  assert.match(bad.stdout, /^ok: .*: 3 record\(s\), hash chain intact$/m);
  assert.match(bad.stdout, new RegExp(`^TAMPERED: .* holds 1 record\\(s\\) the file lacks or contradicts; first: seq 3, hash ${records[2]!.hash}$`, 'm'));
  assert.match(bad.stdout, new RegExp(`^ {2}seq 3: the mirror has hash ${records[2]!.hash} .*, the file has ${forged.hash} \\(file rewritten\\)$`, 'm'));
  assert.match(bad.stdout, /^warning: 1 record\(s\) not mirrored yet \(seq 3\)/m);
  await writeRecords(records);
});

test('with the engine released, it is opened directly: intact, then the last record cut off', async () => {
  await running?.close();
  const ok = await warden([], env);
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /^ok: matches the ClickHouse mirror \(embedded ClickHouse in .*clickhouse\): 3 record\(s\) in both/m);

  await writeRecords(records.slice(0, 2));
  const cut = await warden([], env);
  assert.equal(cut.code, 1, cut.stdout + cut.stderr);
  assert.match(cut.stdout, /^ok: .*: 2 record\(s\), hash chain intact$/m);
  assert.match(cut.stdout, new RegExp(`^TAMPERED: .*; first: seq 3, hash ${records[2]!.hash}$`, 'm'));
  assert.match(cut.stdout, /^ {2}seq 3, .*2026-01-01T00:00:03\.000000003Z revoke t1\/s3 by operator:kim\): beyond the end of the file/m);

  const fileOnly = await warden(['--no-storage'], env);
  assert.equal(fileOnly.code, 0, fileOnly.stdout + fileOnly.stderr);
  assert.match(fileOnly.stdout, /^note: not compared with the ClickHouse mirror \(--no-storage\)/m);
  await writeRecords(records);
});

test('no mirror to compare with, or a wrong command line: exit 2', async () => {
  const elsewhere = await warden([file], { WARDEN_DATA_DIR: join(dataDir, 'nowhere') });
  assert.equal(elsewhere.code, 2, elsewhere.stdout + elsewhere.stderr);
  assert.match(elsewhere.stdout, /^ok: .*: 3 record\(s\), hash chain intact\ncannot check: not compared with the ClickHouse mirror: REVOCATION_MIRROR_MISSING: no embedded ClickHouse in /);

  const usage = await warden(['--no-such-flag'], env);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /unknown option '--no-such-flag'/);
});

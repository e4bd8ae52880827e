/**
 * What `warden verify-log` prints for each outcome, from verifications built by hand: every
 * tampering kind on its own line under one TAMPERED line, records not mirrored yet as a warning
 * with their seqs as ranges, and the three ways the mirror is not compared.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MirrorCrossCheck, MirrorRow } from '../../respond/kill-switch/mirror-cross-check.js';
import type { LogReading, LogVerification, MirrorSkip } from '../../respond/kill-switch/verify-log.js';
import { formatVerification, ranges } from './verify-log-report.js';

const h = (c: string): string => c.repeat(64);
const row: MirrorRow = { hash: h('a'), prev_hash: h('0'), tenant: 't1', session_id: 's3', action: 'revoke', at_ns: '1767225603000000003', by: 'operator:kim', reason: 'r', finding_id: '' };
const intact: LogReading = { result: { ok: true, records: 4 }, records: [] };

const checked = (check: MirrorCrossCheck): LogVerification => ({ verdict: check.tampered ? 'tampered' : 'intact', chain: intact, mirror: { status: 'checked', source: 'embedded', shared: false, rows: 4, check } });
const skipped = (skip: MirrorSkip, chain = intact): LogVerification => ({ verdict: 'unchecked', chain, mirror: { status: 'skipped', ...skip } });

describe('formatVerification', () => {
  it('lists every tampering finding, then the records not mirrored yet', () => {
    const lines = formatVerification('revocations.log', checked({
      tampered: true,
      matched: 1,
      foreign: 0,
      findings: [
        { kind: 'replaced', seq: 2, hash: h('b'), fileHash: h('c'), row },
        { kind: 'differs', seq: 3, hash: h('d'), fields: ['reason', 'by'], row },
        { kind: 'truncated', seq: 5, hash: h('a'), row },
        { kind: 'unplaced', seq: null, hash: h('e'), row },
        { kind: 'not_mirrored', seq: 2, hash: h('c') },
        { kind: 'not_mirrored', seq: 3, hash: h('f') },
        { kind: 'not_mirrored', seq: 4, hash: h('9') },
      ],
    }));
    assert.deepEqual(lines, [
      'ok: revocations.log: 4 record(s), hash chain intact',
      `TAMPERED: the ClickHouse mirror (embedded) holds 4 record(s) the file lacks or contradicts; first: seq 2, hash ${h('b')}`,
      `  seq 2: the mirror has hash ${h('b')} (2026-01-01T00:00:03.000000003Z revoke t1/s3 by operator:kim), the file has ${h('c')} (file rewritten)`,
      `  seq 3, hash ${h('d')}: reason, by differ between the file and the mirror (one copy was edited)`,
      `  seq 5, hash ${h('a')} (2026-01-01T00:00:03.000000003Z revoke t1/s3 by operator:kim): beyond the end of the file (records cut off its end)`,
      `  hash ${h('e')} (2026-01-01T00:00:03.000000003Z revoke t1/s3 by operator:kim): not in the file, and its predecessor is in neither copy (seq unknown)`,
      'warning: 3 record(s) not mirrored yet (seq 2-4): the mirror is asynchronous; Warden\'s next start backfills them',
    ]);
  });

  it('a consistent mirror, with other instances\' rows noted', () => {
    assert.deepEqual(formatVerification('f', checked({ tampered: false, matched: 4, foreign: 2, findings: [] })).slice(1), [
      'ok: matches the ClickHouse mirror (embedded): 4 record(s) in both, none missing from the file',
      'note: 2 row(s) of other instances\' logs in the shared mirror were not compared (a file rewritten from its first record cannot be told from them)',
    ]);
  });

  it('says why the mirror was not compared', () => {
    assert.match(formatVerification('f', skipped({ code: 'SKIPPED', reason: '--no-storage', requested: true }))[1]!, /^note: not compared with the ClickHouse mirror \(--no-storage\): /);
    assert.match(formatVerification('f', skipped({ code: 'STORAGE_UNAVAILABLE', reason: 'down', requested: false }))[1]!, /^cannot check: not compared with the ClickHouse mirror: STORAGE_UNAVAILABLE: down$/);
    const broken: LogReading = { result: { ok: false, records: 1, firstBadLine: 2, problem: 'hash does not match the record (line edited)' }, records: [] };
    assert.deepEqual(formatVerification('f', skipped({ code: 'REVOCATION_LOG_CORRUPT', reason: 'the file itself does not verify', requested: false }, broken), '{"seq":2}'), [
      'FAILED: f at line 2: hash does not match the record (line edited) (1 record(s) verified before it)',
      '  2: {"seq":2}',
      'note: not compared with the ClickHouse mirror: the file itself does not verify',
    ]);
  });
});

describe('ranges', () => {
  for (const [seqs, text] of [[[], ''], [[4], '4'], [[1, 2, 3, 7, 9, 10], '1-3, 7, 9-10']] as const) {
    it(`${JSON.stringify(seqs)} → "${text}"`, () => assert.equal(ranges(seqs), text));
  }
});

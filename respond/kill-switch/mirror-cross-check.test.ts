/**
 * crossCheckMirror as data: a file's records and a mirror's rows in, the findings out. Covers the
 * clean case and a lagging mirror (no tampering), records cut off the end, a chain rewritten from
 * a middle record and from the first, a mirror with a gap, an edited mirror row, duplicates, a
 * removed file, a cycle, and a shared mirror holding another instance's chain.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rfc3339ToNs } from '../../lib/rfc3339.js';
import type { RevocationRecord } from './contracts.js';
import { crossCheckMirror, firstTampering, type MirrorFinding, type MirrorRow } from './mirror-cross-check.js';
import { GENESIS_HASH, sealRecord } from './record-chain.js';

/** A chain of n records; `variant` changes their contents, so the hashes differ from another variant's. */
function chain(n: number, variant = 'a', from: readonly RevocationRecord[] = []): RevocationRecord[] {
  const records = [...from];
  for (let seq = records.length + 1; seq <= n; seq++) {
    const entry = { at: `2026-01-01T00:00:0${seq % 10}.00000000${seq % 10}Z`, tenant: 't1', session_id: `s${seq}`, action: 'revoke' as const, by: 'operator:kim', reason: `${variant} ${seq}`, finding_id: seq % 2 ? `f${seq}` : null };
    records.push(sealRecord(entry, seq, records[seq - 2]?.hash ?? GENESIS_HASH));
  }
  return records;
}

function rowOf(r: RevocationRecord): MirrorRow {
  return { hash: r.hash, prev_hash: r.prev_hash, tenant: r.tenant, session_id: r.session_id, action: r.action, at_ns: String(rfc3339ToNs(r.at)), by: r.by, reason: r.reason, finding_id: r.finding_id ?? '' };
}

const rows = (records: readonly RevocationRecord[]): MirrorRow[] => records.map(rowOf);

/** Findings reduced to what the cases assert: kind and seq, plus the file's hash for `replaced`. */
function brief(findings: readonly MirrorFinding[]): string[] {
  return findings.map((f) => `${f.kind} ${f.seq ?? '?'}${f.fields ? ` ${f.fields.join(',')}` : ''}`);
}

const original = chain(5);
const otherInstance = chain(3, 'other-instance');

interface Case {
  name: string;
  file: readonly RevocationRecord[];
  mirror: readonly MirrorRow[];
  shared?: boolean;
  tampered: boolean;
  matched: number;
  findings: string[];
  foreign?: number;
}

const cases: Case[] = [
  { name: 'the same records in both: intact', file: original, mirror: rows(original), tampered: false, matched: 5, findings: [] },
  { name: 'the mirror lags the file: not mirrored yet, no tampering', file: original, mirror: rows(original.slice(0, 3)), tampered: false, matched: 3, findings: ['not_mirrored 4', 'not_mirrored 5'] },
  { name: 'an empty mirror: every record not mirrored yet', file: original.slice(0, 2), mirror: [], tampered: false, matched: 0, findings: ['not_mirrored 1', 'not_mirrored 2'] },
  { name: 'last record cut off the file', file: original.slice(0, 4), mirror: rows(original), tampered: true, matched: 4, findings: ['truncated 5'] },
  { name: 'last two records cut off the file', file: original.slice(0, 3), mirror: rows(original), tampered: true, matched: 3, findings: ['truncated 4', 'truncated 5'] },
  {
    name: 'chain rewritten consistently from seq 3: same seq, different hash',
    file: chain(4, 'forged', original.slice(0, 2)),
    mirror: rows(original.slice(0, 4)),
    tampered: true,
    matched: 2,
    findings: ['replaced 3', 'replaced 4', 'not_mirrored 3', 'not_mirrored 4'],
  },
  {
    name: 'whole file rewritten from the first record',
    file: chain(2, 'forged'),
    mirror: rows(original.slice(0, 3)),
    tampered: true,
    matched: 0,
    findings: ['replaced 1', 'replaced 2', 'truncated 3', 'not_mirrored 1', 'not_mirrored 2'],
  },
  {
    name: 'a gap in the mirror, then records the file lacks: unplaced',
    file: original.slice(0, 2),
    mirror: rows([original[0]!, original[1]!, original[3]!, original[4]!]),
    tampered: true,
    matched: 2,
    findings: ['unplaced ?', 'unplaced ?'],
  },
  {
    name: 'a gap in the mirror is filled by the file: placed after it',
    file: original.slice(0, 3),
    mirror: rows([original[0]!, original[2]!, original[3]!]),
    tampered: true,
    matched: 2,
    findings: ['truncated 4', 'not_mirrored 2'],
  },
  {
    name: 'the log file removed: every mirror record is missing from it',
    file: [],
    mirror: rows(original.slice(0, 2)),
    tampered: true,
    matched: 0,
    findings: ['truncated 1', 'truncated 2'],
  },
  {
    name: 'a mirror row edited: same hash, different fields',
    file: original.slice(0, 2),
    mirror: [rowOf(original[0]!), { ...rowOf(original[1]!), reason: 'routine cleanup', at_ns: '1' }],
    tampered: true,
    matched: 1,
    findings: ['differs 2 at,reason'],
  },
  {
    name: 'duplicate mirror rows count once',
    file: original.slice(0, 2),
    mirror: [...rows(original.slice(0, 2)), rowOf(original[1]!)],
    tampered: false,
    matched: 2,
    findings: [],
  },
  {
    name: 'rows linked in a cycle are unplaced',
    file: original.slice(0, 1),
    mirror: [rowOf(original[0]!), { ...rowOf(original[1]!), hash: 'b'.repeat(64), prev_hash: 'c'.repeat(64) }, { ...rowOf(original[2]!), hash: 'c'.repeat(64), prev_hash: 'b'.repeat(64) }],
    tampered: true,
    matched: 1,
    findings: ['unplaced ?', 'unplaced ?'],
  },
  {
    name: 'shared mirror: another instance\'s chain is foreign, not tampering',
    file: original,
    mirror: [...rows(original), ...rows(otherInstance)],
    shared: true,
    tampered: false,
    matched: 5,
    findings: [],
    foreign: 3,
  },
  {
    name: 'shared mirror: records cut off the end are still found',
    file: original.slice(0, 3),
    mirror: [...rows(otherInstance), ...rows(original)],
    shared: true,
    tampered: true,
    matched: 3,
    findings: ['truncated 4', 'truncated 5'],
    foreign: 3,
  },
  {
    name: 'shared mirror: a file rewritten from its first record looks like another instance',
    file: chain(2, 'forged'),
    mirror: rows(original.slice(0, 2)),
    shared: true,
    tampered: false,
    matched: 0,
    findings: ['not_mirrored 1', 'not_mirrored 2'],
    foreign: 2,
  },
  {
    name: 'exclusive mirror: another chain in the table is tampering',
    file: original,
    mirror: [...rows(original), ...rows(otherInstance)],
    tampered: true,
    matched: 5,
    findings: ['replaced 1', 'replaced 2', 'replaced 3'],
  },
];

describe('crossCheckMirror', () => {
  for (const c of cases) {
    it(c.name, () => {
      const check = crossCheckMirror(c.file, c.mirror, { shared: c.shared ?? false });
      assert.deepEqual(
        { tampered: check.tampered, matched: check.matched, findings: brief(check.findings), foreign: check.foreign },
        { tampered: c.tampered, matched: c.matched, findings: c.findings, foreign: c.foreign ?? 0 },
      );
    });
  }

  it('names the mirror\'s hash, and the file\'s for a replaced record', () => {
    const forged = chain(4, 'forged', original.slice(0, 2));
    const check = crossCheckMirror(forged, rows(original.slice(0, 4)), { shared: false });
    const first = firstTampering(check)!;
    assert.equal(first.kind, 'replaced');
    assert.equal(first.seq, 3);
    assert.equal(first.hash, original[2]!.hash);
    assert.equal(first.fileHash, forged[2]!.hash);
    assert.deepEqual(first.row, rowOf(original[2]!));
  });

  it('the first missing record of a truncated file is the one right after its end', () => {
    const check = crossCheckMirror(original.slice(0, 2), rows(original).reverse(), { shared: false });
    assert.deepEqual([firstTampering(check)!.seq, firstTampering(check)!.hash], [3, original[2]!.hash]);
  });

  it('places a long chain without recursion', () => {
    const long = chain(20_000);
    const check = crossCheckMirror(long.slice(0, 1), rows(long).reverse(), { shared: false });
    assert.equal(check.findings.length, 19_999);
    assert.deepEqual([check.findings[0]!.seq, check.findings.at(-1)!.seq], [2, 20_000]);
  });
});

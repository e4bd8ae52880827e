/**
 * `crossCheckMirror(records, rows, options)`: compares the revocation log's records with the
 * rows of its ClickHouse mirror (the `revocations` table), a copy the log file cannot rewrite.
 * Pure: the verified file records and the mirror rows in, findings out.
 *
 * The mirror has no seq column, so each mirror row is placed by its chain: a row whose hash is
 * in the file sits at that record's seq; any other row sits one after its prev_hash (the genesis
 * hash → seq 1, a file record's hash → that seq + 1, another mirror row → that row's seq + 1).
 * A row the walk back cannot place (its predecessor is in neither copy) stays unplaced.
 *
 * Findings, by kind:
 * - `truncated` (tampering): the mirror holds a record beyond the end of the file;
 * - `replaced` (tampering): the mirror's record at a seq is not the file's (rewritten chain);
 * - `unplaced` (tampering): a mirror record the file lacks whose place cannot be worked out;
 * - `differs` (tampering): same hash, different fields (one of the two copies was edited);
 * - `not_mirrored` (warning): a file record the mirror does not hold yet. The mirror is
 *   asynchronous and the next start backfills it, so this is expected after an outage.
 *
 * A shared mirror (distributed mode: every instance mirrors its own log into one table) also
 * holds other instances' chains. There only rows chained to one of this file's records count;
 * chains that share no record with the file are counted as `foreign` and left alone, so a file
 * rewritten from its first record cannot be told from another instance's log.
 */
import type { RevocationRecord } from './contracts.js';
import { GENESIS_HASH } from './record-chain.js';
import { rfc3339ToNs } from '../../lib/rfc3339.js';

/** One row of the `revocations` table as the verifier reads it. */
export interface MirrorRow {
  hash: string;
  prev_hash: string;
  tenant: string;
  session_id: string;
  action: string;
  /** `at` in nanoseconds since the epoch, decimal. */
  at_ns: string;
  by: string;
  reason: string;
  /** `''` when the record has none. */
  finding_id: string;
}

export type MirrorFindingKind = 'truncated' | 'replaced' | 'unplaced' | 'differs' | 'not_mirrored';

export const TAMPERING_KINDS: ReadonlySet<MirrorFindingKind> = new Set(['truncated', 'replaced', 'unplaced', 'differs']);

export interface MirrorFinding {
  kind: MirrorFindingKind;
  /** Place in the chain; null when the mirror row cannot be placed. */
  seq: number | null;
  /** The mirror row's hash (the file record's for `not_mirrored`). */
  hash: string;
  /** `replaced`: the hash the file has at this seq. */
  fileHash?: string;
  /** `differs`: the fields that differ. */
  fields?: string[];
  /** The mirror's copy, for the findings about a mirror row. */
  row?: MirrorRow;
}

export interface MirrorCrossCheck {
  tampered: boolean;
  /** File records the mirror holds with the same hash and fields. */
  matched: number;
  /** Tampering findings first (by seq, unplaced last), then `not_mirrored` (by seq). */
  findings: MirrorFinding[];
  /** Shared mirror: rows of chains that share no record with this file, not checked. */
  foreign: number;
}

export interface CrossCheckOptions {
  /** The mirror also holds other logs' chains (distributed mode). */
  shared: boolean;
}

const COMPARED = ['prev_hash', 'tenant', 'session_id', 'action', 'at', 'by', 'reason', 'finding_id'] as const;

export function crossCheckMirror(records: readonly RevocationRecord[], rows: readonly MirrorRow[], options: CrossCheckOptions): MirrorCrossCheck {
  const inFile = new Map(records.map((r) => [r.hash, r]));
  const byHash = new Map<string, MirrorRow[]>();
  for (const row of rows) {
    const copies = byHash.get(row.hash);
    if (!copies) byHash.set(row.hash, [row]);
    else if (!copies.some((c) => sameRow(c, row))) copies.push(row);
  }

  const tampering: MirrorFinding[] = [];
  let matched = 0;
  let foreign = 0;
  const place = placer(inFile, byHash);
  for (const [hash, copies] of byHash) {
    const record = inFile.get(hash);
    if (record) {
      const differing = copies.map((row) => ({ row, fields: differingFields(record, row) })).filter((d) => d.fields.length > 0);
      if (differing.length === 0) matched++;
      else tampering.push({ kind: 'differs', seq: record.seq, hash, fields: [...new Set(differing.flatMap((d) => d.fields))], row: differing[0]!.row });
      continue;
    }
    const { seq, anchored } = place(hash);
    const row = copies[0]!;
    if (options.shared && !anchored) foreign += copies.length;
    else if (seq === null) tampering.push({ kind: 'unplaced', seq, hash, row });
    else if (seq <= records.length) tampering.push({ kind: 'replaced', seq, hash, fileHash: records[seq - 1]!.hash, row });
    else tampering.push({ kind: 'truncated', seq, hash, row });
  }
  tampering.sort((a, b) => (a.seq ?? Infinity) - (b.seq ?? Infinity) || a.hash.localeCompare(b.hash));

  const notMirrored: MirrorFinding[] = records.filter((r) => !byHash.has(r.hash)).map((r) => ({ kind: 'not_mirrored', seq: r.seq, hash: r.hash }));
  return { tampered: tampering.length > 0, matched, findings: [...tampering, ...notMirrored], foreign };
}

/** The first tampering finding, in chain order: what a report names first. */
export function firstTampering(check: MirrorCrossCheck): MirrorFinding | undefined {
  return check.findings.find((f) => TAMPERING_KINDS.has(f.kind));
}

interface Placement {
  seq: number | null;
  /** The chain reaches one of the file's records (so it is this log's, not another instance's). */
  anchored: boolean;
}

/**
 * Places mirror rows the file does not hold by walking back their prev_hash links: through other
 * such rows, down to a file record (anchored), the genesis hash (seq 1, not anchored) or a hash
 * in neither copy (unplaced). Memoized, iterative (a long chain does not recurse), and a cycle
 * (only an edited mirror can have one) is unplaced.
 */
function placer(inFile: ReadonlyMap<string, RevocationRecord>, byHash: ReadonlyMap<string, MirrorRow[]>): (hash: string) => Placement {
  const placed = new Map<string, Placement>();
  return (start) => {
    const path: string[] = [];
    const onPath = new Set<string>();
    let base: Placement = { seq: null, anchored: false };
    for (let hash = start; ; ) {
      const known = placed.get(hash);
      if (known) {
        base = known;
        break;
      }
      path.push(hash);
      onPath.add(hash);
      const prev = byHash.get(hash)![0]!.prev_hash;
      const record = inFile.get(prev);
      if (record) {
        base = { seq: record.seq, anchored: true };
        break;
      }
      if (prev === GENESIS_HASH) {
        base = { seq: 0, anchored: false };
        break;
      }
      if (!byHash.has(prev) || onPath.has(prev)) break;
      hash = prev;
    }
    for (let i = path.length - 1, step = 1; i >= 0; i--, step++) {
      placed.set(path[i]!, { seq: base.seq === null ? null : base.seq + step, anchored: base.anchored });
    }
    return placed.get(start)!;
  };
}

function differingFields(record: RevocationRecord, row: MirrorRow): string[] {
  const fileValues: Record<(typeof COMPARED)[number], string> = {
    prev_hash: record.prev_hash,
    tenant: record.tenant,
    session_id: record.session_id,
    action: record.action,
    at: String(rfc3339ToNs(record.at)),
    by: record.by,
    reason: record.reason,
    finding_id: record.finding_id ?? '',
  };
  const mirrorValues: Record<(typeof COMPARED)[number], string> = { ...row, at: row.at_ns };
  return COMPARED.filter((field) => fileValues[field] !== mirrorValues[field]);
}

function sameRow(a: MirrorRow, b: MirrorRow): boolean {
  return a.prev_hash === b.prev_hash && a.tenant === b.tenant && a.session_id === b.session_id && a.action === b.action
    && a.at_ns === b.at_ns && a.by === b.by && a.reason === b.reason && a.finding_id === b.finding_id;
}

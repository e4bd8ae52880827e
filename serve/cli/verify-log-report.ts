/**
 * The text `warden verify-log` prints: first the file's own chain (`ok:`, `FAILED:` with the bad
 * line, or `cannot check:`), then the comparison with the ClickHouse mirror (`ok:`, `TAMPERED:`
 * with the first records the file lacks or contradicts, or why it was not made), then warnings
 * (records not mirrored yet) and notes.
 */
import type { MirrorCrossCheck, MirrorFinding, MirrorRow } from '../../respond/kill-switch/mirror-cross-check.js';
import { TAMPERING_KINDS } from '../../respond/kill-switch/mirror-cross-check.js';
import type { LogVerification } from '../../respond/kill-switch/verify-log.js';
import { nsToRfc3339 } from '../../lib/rfc3339.js';

/** Tampering findings listed one per line; the rest are counted. */
const LISTED = 10;

const UNNOTICED = 'records cut off the end of the file, or a file rewritten consistently, go unnoticed';

export function formatVerification(file: string, v: LogVerification, badLine?: string): string[] {
  const { result, failure } = v.chain;
  const lines: string[] = [];
  if (result.ok) {
    lines.push(`ok: ${file}: ${result.records} record(s), hash chain intact`);
  } else if (failure) {
    lines.push(`cannot check: ${file}: ${result.problem}`);
  } else {
    const where = result.firstBadLine !== undefined ? ` at line ${result.firstBadLine}` : '';
    lines.push(`FAILED: ${file}${where}: ${result.problem ?? 'chain broken'} (${result.records} record(s) verified before it)`);
    if (badLine !== undefined) lines.push(`  ${result.firstBadLine}: ${badLine.slice(0, 2000)}`);
  }
  const m = v.mirror;
  if (m.status === 'checked') return [...lines, ...mirrorLines(m.source, m.check)];
  if (m.requested) lines.push(`note: not compared with the ClickHouse mirror (${m.reason}): ${UNNOTICED}`);
  else if (m.code === 'REVOCATION_LOG_CORRUPT' || m.code === 'REVOCATION_LOG_UNREADABLE') lines.push(`note: not compared with the ClickHouse mirror: ${m.reason}`);
  else lines.push(`cannot check: not compared with the ClickHouse mirror: ${m.code}: ${m.reason}`, `  until it is, ${UNNOTICED} (--no-storage checks the file alone)`);
  return lines;
}

function mirrorLines(source: string, check: MirrorCrossCheck): string[] {
  const lines: string[] = [];
  const tampering = check.findings.filter((f) => TAMPERING_KINDS.has(f.kind));
  if (tampering.length === 0) {
    lines.push(`ok: matches the ClickHouse mirror (${source}): ${check.matched} record(s) in both, none missing from the file`);
  } else {
    lines.push(`TAMPERED: the ClickHouse mirror (${source}) holds ${tampering.length} record(s) the file lacks or contradicts; first: seq ${tampering[0]!.seq ?? 'unknown'}, hash ${tampering[0]!.hash}`);
    for (const f of tampering.slice(0, LISTED)) lines.push(`  ${describe(f)}`);
    if (tampering.length > LISTED) lines.push(`  … and ${tampering.length - LISTED} more`);
  }
  const pending = check.findings.filter((f) => f.kind === 'not_mirrored').map((f) => f.seq!);
  if (pending.length > 0) {
    lines.push(`warning: ${pending.length} record(s) not mirrored yet (seq ${ranges(pending)}): the mirror is asynchronous; Warden's next start backfills them`);
  }
  if (check.foreign > 0) {
    lines.push(`note: ${check.foreign} row(s) of other instances' logs in the shared mirror were not compared (a file rewritten from its first record cannot be told from them)`);
  }
  return lines;
}

function describe(f: MirrorFinding): string {
  const what = f.row ? ` (${rowSummary(f.row)})` : '';
  switch (f.kind) {
    case 'truncated':
      return `seq ${f.seq}, hash ${f.hash}${what}: beyond the end of the file (records cut off its end)`;
    case 'replaced':
      return `seq ${f.seq}: the mirror has hash ${f.hash}${what}, the file has ${f.fileHash} (file rewritten)`;
    case 'unplaced':
      return `hash ${f.hash}${what}: not in the file, and its predecessor is in neither copy (seq unknown)`;
    case 'differs':
      return `seq ${f.seq}, hash ${f.hash}: ${f.fields?.join(', ')} differ between the file and the mirror (one copy was edited)`;
    case 'not_mirrored':
      return `seq ${f.seq}, hash ${f.hash}: not mirrored yet`;
  }
}

function rowSummary(row: MirrorRow): string {
  return `${nsToRfc3339(row.at_ns)} ${row.action} ${row.tenant}/${row.session_id} by ${row.by}`;
}

/** [1, 2, 3, 7, 9, 10] → `1-3, 7, 9-10`. */
export function ranges(seqs: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < seqs.length; ) {
    let j = i;
    while (j + 1 < seqs.length && seqs[j + 1] === seqs[j]! + 1) j++;
    parts.push(j === i ? String(seqs[i]) : `${seqs[i]}-${seqs[j]}`);
    i = j + 1;
  }
  return parts.join(', ');
}

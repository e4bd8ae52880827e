/**
 * What `warden verify-log` runs. `verifyLog(file)` checks a revocation log file end to end: every
 * line parses, seq counts from 1, each prev_hash is the previous line's hash and each hash
 * matches its record; it reports the first line that breaks the chain, in words.
 *
 * The chain is unkeyed, so a file with records cut off its end, or rewritten consistently from
 * some record on, still verifies. `verifyLogWithMirror(file, mirror)` also compares the file with
 * the ClickHouse mirror (an independent copy; see mirror-cross-check.ts) and gives one verdict:
 * `intact`, `tampered` (the chain is broken, or the mirror holds records the file lacks or
 * contradicts) or `unchecked` (the file could not be read, or the mirror could not be compared
 * when it was meant to be). The mirror is read before the file: a record is in the file before it
 * is mirrored, so appends while it runs show up as "not mirrored yet", never as missing.
 */
import { readFile } from 'node:fs/promises';
import { WardenError } from '../../lib/errors.js';
import type { RevocationRecord } from './contracts.js';
import { crossCheckMirror, type MirrorCrossCheck, type MirrorRow } from './mirror-cross-check.js';
import { verifyChain, type VerifyResult } from './record-chain.js';

export type { VerifyResult } from './record-chain.js';

export interface LogReading {
  result: VerifyResult;
  /** The records that verified, in order. */
  records: RevocationRecord[];
  /** `missing`: no such file; `unreadable`: it could not be read. */
  failure?: 'missing' | 'unreadable';
}

export async function readLog(file: string): Promise<LogReading> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { result: { ok: false, records: 0, problem: 'log file not found' }, records: [], failure: 'missing' };
    return { result: { ok: false, records: 0, problem: `cannot read the log: ${code ?? String(err)}` }, records: [], failure: 'unreadable' };
  }
  const { result, records } = verifyChain(text);
  return { result, records };
}

export async function verifyLog(file: string): Promise<VerifyResult> {
  return (await readLog(file)).result;
}

/** Where the mirror's rows come from. */
export interface MirrorSource {
  /** For the report, e.g. `embedded ClickHouse in <dir>`. */
  readonly name: string;
  /** The table also holds other instances' logs (distributed mode). */
  readonly shared: boolean;
  rows(): Promise<MirrorRow[]>;
}

/** Why the mirror is not compared. `requested`: the operator asked for the file alone. */
export interface MirrorSkip {
  code: string;
  reason: string;
  requested: boolean;
}

export type MirrorOutcome =
  | { status: 'checked'; source: string; shared: boolean; rows: number; check: MirrorCrossCheck }
  | ({ status: 'skipped' } & MirrorSkip);

export type LogVerdict = 'intact' | 'tampered' | 'unchecked';

export interface LogVerification {
  verdict: LogVerdict;
  /** The file's own chain. */
  chain: LogReading;
  mirror: MirrorOutcome;
}

export async function verifyLogWithMirror(file: string, mirror: MirrorSource | MirrorSkip): Promise<LogVerification> {
  if (!('rows' in mirror)) return skipped(await readLog(file), mirror);
  const read = await readRows(mirror);
  const chain = await readLog(file);
  if (!Array.isArray(read)) return skipped(chain, read);
  // A missing file is compared as an empty log: a mirror that holds records says it was removed.
  if (!chain.result.ok && chain.failure !== 'missing') {
    return skipped(chain, { code: chain.failure ? 'REVOCATION_LOG_UNREADABLE' : 'REVOCATION_LOG_CORRUPT', reason: 'the file itself does not verify', requested: false });
  }
  const check = crossCheckMirror(chain.records, read, { shared: mirror.shared });
  const verdict: LogVerdict = check.tampered ? 'tampered' : chain.failure ? 'unchecked' : 'intact';
  return { verdict, chain, mirror: { status: 'checked', source: mirror.name, shared: mirror.shared, rows: read.length, check } };
}

async function readRows(source: MirrorSource): Promise<MirrorRow[] | MirrorSkip> {
  try {
    return await source.rows();
  } catch (err) {
    const code = err instanceof WardenError ? err.code : 'REVOCATION_MIRROR_UNAVAILABLE';
    return { code, reason: err instanceof Error ? err.message : String(err), requested: false };
  }
}

/** Not compared: the file's chain decides, and an unplanned skip leaves an intact file unchecked. */
function skipped(chain: LogReading, skip: MirrorSkip): LogVerification {
  const verdict: LogVerdict = chain.failure ? 'unchecked' : !chain.result.ok ? 'tampered' : skip.requested ? 'intact' : 'unchecked';
  return { verdict, chain, mirror: { status: 'skipped', ...skip } };
}

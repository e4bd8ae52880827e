/**
 * The hash chain of the revocation log. Each record's `hash` is SHA-256 (hex) over a canonical
 * serialization — a JSON array of seq, at, tenant, session_id, action, by, reason, finding_id and
 * prev_hash, in that order — and `prev_hash` is the previous record's hash (64 zeros for the
 * first), with `seq` counting from 1. Editing, deleting, reordering or inserting a line breaks
 * the chain at that line; `verifyChain` names the first line that does not fit. (Truncating the
 * end of the file leaves a valid shorter chain: compare the count with a copy, such as the
 * ClickHouse mirror, to catch that.)
 */
import { createHash } from 'node:crypto';
import type { RevocationAction, RevocationRecord } from './contracts.js';
import { isRfc3339Utc } from '../../lib/rfc3339.js';

export const GENESIS_HASH = '0'.repeat(64);

/** What the caller supplies; seq and the hashes are assigned when the record is appended. */
export type RevocationEntry = Omit<RevocationRecord, 'seq' | 'prev_hash' | 'hash'>;

export interface VerifyResult {
  ok: boolean;
  /** Records that verified (all of them when ok). */
  records: number;
  /** 1-based line number of the first line that breaks the chain. */
  firstBadLine?: number;
  problem?: string;
}

export function canonicalRecord(r: Omit<RevocationRecord, 'hash'>): string {
  return JSON.stringify([r.seq, r.at, r.tenant, r.session_id, r.action, r.by, r.reason, r.finding_id, r.prev_hash]);
}

export function recordHash(r: Omit<RevocationRecord, 'hash'>): string {
  return createHash('sha256').update(canonicalRecord(r)).digest('hex');
}

export function sealRecord(entry: RevocationEntry, seq: number, prevHash: string): RevocationRecord {
  const unsealed = { seq, at: entry.at, tenant: entry.tenant, session_id: entry.session_id, action: entry.action, by: entry.by, reason: entry.reason, finding_id: entry.finding_id, prev_hash: prevHash };
  return { ...unsealed, hash: recordHash(unsealed) };
}

/** One line of the log (no newline), keys in a fixed order. */
export function serializeRecord(r: RevocationRecord): string {
  return JSON.stringify({ seq: r.seq, at: r.at, tenant: r.tenant, session_id: r.session_id, action: r.action, by: r.by, reason: r.reason, finding_id: r.finding_id, prev_hash: r.prev_hash, hash: r.hash });
}

const ACTIONS: ReadonlySet<RevocationAction> = new Set(['revoke', 'reinstate']);
const HEX64 = /^[0-9a-f]{64}$/;

/** Parses and shape-checks one record; returns the problem in words when it is not one. */
export function parseRecord(value: unknown): RevocationRecord | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const r = value as Record<string, unknown>;
  if (!Number.isSafeInteger(r.seq) || (r.seq as number) < 1) return 'seq is not a positive integer';
  if (typeof r.at !== 'string' || !isRfc3339Utc(r.at)) return 'at is not an RFC 3339 UTC time';
  for (const field of ['tenant', 'session_id', 'by', 'reason'] as const) {
    if (typeof r[field] !== 'string') return `${field} is not a string`;
  }
  if (typeof r.action !== 'string' || !ACTIONS.has(r.action as RevocationAction)) return 'action is not revoke or reinstate';
  if (r.finding_id !== null && typeof r.finding_id !== 'string') return 'finding_id is not a string or null';
  if (typeof r.prev_hash !== 'string' || !HEX64.test(r.prev_hash)) return 'prev_hash is not a SHA-256 hex digest';
  if (typeof r.hash !== 'string' || !HEX64.test(r.hash)) return 'hash is not a SHA-256 hex digest';
  const extra = Object.keys(r).filter((k) => !RECORD_KEYS.has(k));
  if (extra.length > 0) return `unexpected field ${extra[0]}`;
  return value as RevocationRecord;
}

const RECORD_KEYS = new Set(['seq', 'at', 'tenant', 'session_id', 'action', 'by', 'reason', 'finding_id', 'prev_hash', 'hash']);

export interface ChainReading {
  result: VerifyResult;
  /** The records that verified, in order. */
  records: RevocationRecord[];
  /** The file ends in a line without its newline (a write cut short by a crash). */
  tornTail: boolean;
}

/** Verifies a whole log file's text. */
export function verifyChain(text: string): ChainReading {
  const lines = text.split('\n');
  const tornTail = lines[lines.length - 1] !== '';
  if (!tornTail) lines.pop();
  const records: RevocationRecord[] = [];
  let prevHash = GENESIS_HASH;
  for (let i = 0; i < lines.length; i++) {
    const problem = checkLine(lines[i]!, records.length + 1, prevHash);
    if (typeof problem === 'string') {
      const where = tornTail && i === lines.length - 1 ? 'incomplete last line (torn write?): ' : '';
      return { result: { ok: false, records: records.length, firstBadLine: i + 1, problem: where + problem }, records, tornTail };
    }
    records.push(problem);
    prevHash = problem.hash;
  }
  if (tornTail) {
    return { result: { ok: false, records: records.length, firstBadLine: lines.length, problem: 'last line has no newline (torn write?)' }, records, tornTail };
  }
  return { result: { ok: true, records: records.length }, records, tornTail };
}

function checkLine(line: string, expectedSeq: number, prevHash: string): RevocationRecord | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return 'not valid JSON';
  }
  const record = parseRecord(value);
  if (typeof record === 'string') return record;
  if (record.seq !== expectedSeq) return `seq ${record.seq} where ${expectedSeq} was expected (line deleted, inserted or moved)`;
  if (record.prev_hash !== prevHash) return 'prev_hash does not match the previous record (line deleted, inserted or moved)';
  if (recordHash(record) !== record.hash) return 'hash does not match the record (line edited)';
  return record;
}

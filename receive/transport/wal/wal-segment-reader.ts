/**
 * Reads one segment of the write-ahead log at start. Every record must be whole and match its
 * checksum. Zeros from the end of a record to the end of the file are the end of the log: a
 * segment is written with zeros before its records (write-ahead-log.ts), and a power loss leaves
 * a write that never reached the disk as zeros too. The one exception is the end of the newest
 * segment: a crash in the middle of a write leaves a last record cut short; that tail was never
 * acknowledged to a client, so it is reported as torn, for the caller to cut off with a warning. Damage anywhere else — an older segment, or a bad record
 * with data after it — is an error that stops the start and says what to do: guessing past it
 * could drop requests that were answered 200.
 */
import fs from 'node:fs';
import { PermanentError } from '../../../lib/errors.js';
import type { ConsumedMessage } from '../transport.js';
import { decodeRecord, SEGMENT_MAGIC } from './wal-record.js';

export interface SegmentScan {
  messages: ConsumedMessage[];
  /** Bytes of the segment up to the end of its last whole record. */
  goodBytes: number;
  /** Set when the end of the newest segment was cut off by a crash. */
  torn?: { at: number; bytes: number; reason: string };
}

export function scanSegment(file: string, newest: boolean): SegmentScan {
  const bytes = fs.readFileSync(file);
  const magic = SEGMENT_MAGIC.length;
  if (bytes.length < magic || !bytes.subarray(0, magic).equals(SEGMENT_MAGIC)) {
    // A segment is created with its header in one write: a shorter one is a crash at creation.
    if (newest && bytes.length < magic && SEGMENT_MAGIC.subarray(0, bytes.length).equals(bytes)) {
      return { messages: [], goodBytes: 0, torn: { at: 0, bytes: bytes.length, reason: 'segment header cut short' } };
    }
    throw corrupt(file, 0, bytes.length, 'the file does not start with a write-ahead log segment header');
  }
  const messages: ConsumedMessage[] = [];
  let at = magic;
  while (at < bytes.length) {
    // Zeros from here to the end: bytes written ahead of records to come (write-ahead-log.ts).
    // (A record's length is never 0: look at the rest only when the next length is.)
    if ((bytes.length - at < 4 || bytes.readUInt32LE(at) === 0) && allZero(bytes, at)) return { messages, goodBytes: at };
    const record = decodeRecord(bytes, at);
    if (record.ok) {
      messages.push(record.message);
      at = record.end;
      continue;
    }
    const reachesEnd = record.end === undefined || record.end >= bytes.length;
    if (newest && (reachesEnd || allZero(bytes, at))) {
      return { messages, goodBytes: at, torn: { at, bytes: bytes.length - at, reason: record.reason } };
    }
    throw corrupt(file, at, bytes.length, record.reason);
  }
  return { messages, goodBytes: at };
}

function allZero(bytes: Buffer, from: number): boolean {
  for (let i = from; i < bytes.length; i++) if (bytes[i] !== 0) return false;
  return true;
}

function corrupt(file: string, at: number, size: number, reason: string): PermanentError {
  return new PermanentError(
    'WAL_CORRUPT',
    `write-ahead log segment ${file} is damaged at byte ${at} of ${size} (${reason}); requests recorded after that point cannot be read. ` +
      'Warden does not start rather than drop requests that were acknowledged. Keep a copy of the file, then either cut it at the damage ' +
      `(truncate -s ${at} '${file}') to replay the records before it, or move it out of the log directory to give up all of its records; then start again.`,
    { details: { file, at, size, reason } },
  );
}

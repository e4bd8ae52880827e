/**
 * The on-disk form of one queued message in the write-ahead log, and of a segment's header.
 *
 *   segment  = "WRDNWAL1" record*
 *   record   = u32le bodyLength, u32le crc32(body), body
 *   body     = u8 version (1), u8 signal, u8 encoding, u8 flags (bit 0: has key),
 *              u64le offset, u32le keyLength, key, u32le headersLength, headers (JSON), value
 *
 * The length and checksum let a reader tell a complete record from one cut off by a crash in
 * the middle of a write (see wal-segment-reader.ts). `decodeRecord` never throws: it says why
 * the bytes at a position are not a record.
 */
import { crc32 } from 'node:zlib';
import type { ConsumedMessage, Encoding, Signal } from '../transport.js';
import { MEMORY_TOPICS } from '../memory-queue.js';

export const SEGMENT_MAGIC = Buffer.from('WRDNWAL1', 'latin1');
export const RECORD_HEADER_BYTES = 8;
const VERSION = 1;
/** version, signal, encoding, flags, offset, key length, headers length. */
const MIN_BODY_BYTES = 4 + 8 + 4 + 4;
/** Larger than any request the receiver accepts; a length past it is damage, not data. */
export const MAX_BODY_BYTES = 1024 * 1024 * 1024;

const SIGNALS: readonly Signal[] = ['traces', 'logs'];
const ENCODINGS: readonly Encoding[] = ['otlp_proto', 'otlp_json'];

/** The record's bytes as buffers to write one after the other (the value is not copied). */
export function encodeRecord(m: ConsumedMessage): Buffer[] {
  const key = m.key === null ? Buffer.alloc(0) : Buffer.from(m.key, 'utf8');
  const headers = m.headers && Object.keys(m.headers).length > 0 ? Buffer.from(JSON.stringify(m.headers), 'utf8') : Buffer.alloc(0);
  const fixed = Buffer.allocUnsafe(RECORD_HEADER_BYTES + 16 + key.length + 4 + headers.length);
  let at = RECORD_HEADER_BYTES;
  fixed.writeUInt8(VERSION, at++);
  fixed.writeUInt8(SIGNALS.indexOf(m.signal), at++);
  fixed.writeUInt8(ENCODINGS.indexOf(m.encoding), at++);
  fixed.writeUInt8(m.key === null ? 0 : 1, at++);
  fixed.writeBigUInt64LE(BigInt(m.origin.offset), at);
  at += 8;
  fixed.writeUInt32LE(key.length, at);
  at += 4;
  key.copy(fixed, at);
  at += key.length;
  fixed.writeUInt32LE(headers.length, at);
  at += 4;
  headers.copy(fixed, at);
  const bodyLength = fixed.length - RECORD_HEADER_BYTES + m.value.length;
  fixed.writeUInt32LE(bodyLength, 0);
  fixed.writeUInt32LE(crc32(m.value, crc32(fixed.subarray(RECORD_HEADER_BYTES))), 4);
  return [fixed, m.value];
}

export type DecodedRecord =
  | { ok: true; message: ConsumedMessage; end: number }
  | { ok: false; reason: string; /** Where the record would end by its length field, when that is readable. */ end?: number };

/** Reads the record starting at `at`; the message's value and key are views into `bytes`. */
export function decodeRecord(bytes: Buffer, at: number): DecodedRecord {
  if (bytes.length - at < RECORD_HEADER_BYTES) return { ok: false, reason: `only ${bytes.length - at} bytes left, a record header takes ${RECORD_HEADER_BYTES}` };
  const bodyLength = bytes.readUInt32LE(at);
  if (bodyLength < MIN_BODY_BYTES || bodyLength > MAX_BODY_BYTES) return { ok: false, reason: `record length ${bodyLength} is impossible` };
  const end = at + RECORD_HEADER_BYTES + bodyLength;
  if (end > bytes.length) return { ok: false, reason: `record of ${bodyLength} bytes runs past the end of the file`, end };
  const body = bytes.subarray(at + RECORD_HEADER_BYTES, end);
  if (crc32(body) !== bytes.readUInt32LE(at + 4)) return { ok: false, reason: 'checksum mismatch', end };
  const version = body.readUInt8(0);
  const signal = SIGNALS[body.readUInt8(1)];
  const encoding = ENCODINGS[body.readUInt8(2)];
  const hasKey = (body.readUInt8(3) & 1) === 1;
  if (version !== VERSION || !signal || !encoding) return { ok: false, reason: `unknown record version ${version} or field values`, end };
  const offset = body.readBigUInt64LE(4);
  let p = 12;
  const keyLength = body.readUInt32LE(p);
  p += 4;
  if (p + keyLength + 4 > body.length) return { ok: false, reason: 'key length runs past the record', end };
  const key = hasKey ? body.toString('utf8', p, p + keyLength) : null;
  p += keyLength;
  const headersLength = body.readUInt32LE(p);
  p += 4;
  if (p + headersLength > body.length) return { ok: false, reason: 'headers length runs past the record', end };
  let headers: Record<string, string> | undefined;
  if (headersLength > 0) {
    try {
      headers = JSON.parse(body.toString('utf8', p, p + headersLength)) as Record<string, string>;
    } catch {
      return { ok: false, reason: 'headers are not JSON', end };
    }
  }
  p += headersLength;
  const message: ConsumedMessage = {
    signal,
    encoding,
    key,
    value: body.subarray(p),
    ...(headers ? { headers } : {}),
    origin: { topic: MEMORY_TOPICS[signal], partition: 0, offset: offset.toString() },
  };
  return { ok: true, message, end };
}

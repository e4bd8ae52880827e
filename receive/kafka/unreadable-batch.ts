/**
 * A Kafka record batch whose compressed records cannot be read (corrupt bytes, or a codec whose
 * native library is missing on this platform). kafkajs decompresses inside its fetch: a codec
 * that throws fails the whole fetch, kafkajs retries it, crashes, restarts and fetches the same
 * batch again — the consumer never moves on. So the codecs (codecs.ts) never throw: they answer
 * such a batch with one placeholder record per record of the batch, at the batch's offsets. Each
 * placeholder carries the header `warden.kafka.unreadable` (an error code) and
 * `warden.kafka.unreadable_reason`; the first one also carries the batch's compressed bytes as
 * its value. The decode stage turns each placeholder into that error (decode/unreadable-message.ts),
 * so it is counted and dead-lettered under its origin like any unreadable message, and the
 * partition moves on.
 *
 * The batch header (record count, offsets, codec) is read from the bytes in front of the records
 * kafkajs hands the codec: kafkajs slices them out of the fetch response without copying, at a
 * fixed distance from the batch header (record batch v2, magic 2). That layout is checked
 * (magic, codec bits); when it does not hold, the original error is thrown as before.
 * This module loads kafkajs's internals only when it builds placeholders, so the decode stage can
 * import it without loading kafkajs.
 */
import { createRequire } from 'node:module';
import { CODEC_UNAVAILABLE_CODE, CORRUPT_CODE, UNREADABLE_HEADER, UNREADABLE_REASON_HEADER, type UnreadableCode } from '../../decode/unreadable-message.js';

export { CODEC_UNAVAILABLE_CODE, CORRUPT_CODE, UNREADABLE_HEADER, UNREADABLE_REASON_HEADER, type UnreadableCode };

/** Distances from the first byte of the compressed records back to batch header fields. */
const BACK = { count: 4, firstTimestamp: 34, lastOffsetDelta: 38, attributes: 40, magic: 45 } as const;
const CODEC_MASK = 0x07;
/** A count above this is not a plausible batch header: the layout assumption does not hold. */
const MAX_PLAUSIBLE_RECORDS = 10_000_000;

export interface BatchHeader {
  count: number;
  lastOffsetDelta: number;
}

/** The header fields of the batch `records` was sliced from, or undefined when the layout does not match. */
export function batchHeaderBefore(records: Buffer, codecType: number): BatchHeader | undefined {
  if (records.byteOffset < BACK.magic) return undefined;
  const header = Buffer.from(records.buffer, records.byteOffset - BACK.magic, BACK.magic);
  const at = (back: number) => BACK.magic - back;
  if (header.readInt8(at(BACK.magic)) !== 2) return undefined;
  if ((header.readInt16BE(at(BACK.attributes)) & CODEC_MASK) !== codecType) return undefined;
  const count = header.readInt32BE(at(BACK.count));
  const lastOffsetDelta = header.readInt32BE(at(BACK.lastOffsetDelta));
  if (!(count >= 1 && count <= MAX_PLAUSIBLE_RECORDS && lastOffsetDelta >= count - 1)) return undefined;
  return { count, lastOffsetDelta };
}

interface KafkajsEncoder {
  buffer: Buffer;
}
type RecordEncoder = (record: { offsetDelta: number; timestampDelta: number; key: Buffer | null; value: Buffer; headers: Record<string, string> }) => KafkajsEncoder;
let recordEncoder: RecordEncoder | undefined;

/**
 * The records of a placeholder batch for `header`, in the uncompressed form kafkajs decodes:
 * offsets 0..count-2 and the batch's last offset, the compressed bytes in the first record.
 */
export function placeholderRecords(header: BatchHeader, compressed: Buffer, code: UnreadableCode, reason: string): Buffer {
  // kafkajs's own record encoder (v0 record, the one its decoder reads); kafkajs has no exports map.
  recordEncoder ??= createRequire(import.meta.url)('kafkajs/src/protocol/recordBatch/record/v0/index.js') as RecordEncoder;
  const parts: Buffer[] = [];
  for (let i = 0; i < header.count; i++) {
    const last = i === header.count - 1;
    const headers = {
      [UNREADABLE_HEADER]: code,
      [UNREADABLE_REASON_HEADER]:
        i === 0 ? `${reason} (batch of ${header.count} records; its compressed bytes are this record's value)` : `${reason} (record ${i + 1} of ${header.count}; the batch's compressed bytes are in the first record's dead letter)`,
    };
    parts.push(recordEncoder({ offsetDelta: last ? header.lastOffsetDelta : i, timestampDelta: 0, key: null, value: i === 0 ? compressed : Buffer.alloc(0), headers }).buffer);
  }
  return Buffer.concat(parts);
}

/** Whether `records` holds exactly `count` length-prefixed records (zig-zag varint lengths), as kafkajs will read them. */
export function framesRecords(records: Buffer, count: number): boolean {
  let pos = 0;
  for (let i = 0; i < count; i++) {
    let raw = 0;
    let shift = 0;
    for (;;) {
      if (pos >= records.length || shift > 28) return false;
      const byte = records[pos++]!;
      raw |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) break;
      shift += 7;
    }
    const length = (raw >>> 1) ^ -(raw & 1);
    if (length < 0 || pos + length > records.length) return false;
    pos += length;
  }
  return pos === records.length;
}

/**
 * Splits a zstd stream into its frames (RFC 8878 section 3.1), skippable frames left out. A Kafka
 * ZSTD batch is normally one frame, but a producer may write several; node:zlib's zstd decoder
 * returns only the first frame of such an input, so each frame is decoded on its own. Throws on
 * bytes that are not a frame (as the decoder would), never reads past the buffer.
 */

const ZSTD_MAGIC = 0xfd2fb528;
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;
/** Frame_Content_Size field bytes by FCS flag (flag 0 means 1 byte when single-segment, else none). */
const FCS_BYTES = [0, 2, 4, 8] as const;
const DICT_ID_BYTES = [0, 1, 2, 4] as const;

export function zstdFrames(buf: Uint8Array): Buffer[] {
  const bytes = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const frames: Buffer[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    if (pos + 8 > bytes.length) throw new Error(`zstd: truncated frame header at ${pos}`);
    const magic = bytes.readUInt32LE(pos);
    if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC) {
      pos += 8 + bytes.readUInt32LE(pos + 4);
      continue;
    }
    if (magic !== ZSTD_MAGIC) throw new Error(`zstd: bad magic 0x${magic.toString(16)} at ${pos}`);
    const start = pos;
    const descriptor = bytes[pos + 4]!;
    const singleSegment = (descriptor >> 5) & 1;
    const fcsFlag = descriptor >> 6;
    const fcsBytes = fcsFlag === 0 && singleSegment === 1 ? 1 : FCS_BYTES[fcsFlag as 0 | 1 | 2 | 3];
    pos += 5 + (singleSegment ? 0 : 1) + DICT_ID_BYTES[(descriptor & 3) as 0 | 1 | 2 | 3] + fcsBytes;
    for (;;) {
      if (pos + 3 > bytes.length) throw new Error(`zstd: truncated block header at ${pos}`);
      const header = bytes.readUIntLE(pos, 3);
      const blockType = (header >> 1) & 3;
      pos += 3 + (blockType === 1 ? 1 : header >>> 3); // an RLE block stores its one byte
      if (header & 1) break; // last block of the frame
    }
    if ((descriptor >> 2) & 1) pos += 4; // content checksum
    if (pos > bytes.length) throw new Error('zstd: truncated frame');
    frames.push(bytes.subarray(start, pos));
  }
  return frames;
}

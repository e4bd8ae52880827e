/**
 * The codecs as kafkajs calls them: round trips through kafkajs's table, zstd frame splitting on
 * hand-built frames (raw and RLE blocks, two frames, a skippable frame), and what an unreadable
 * batch becomes — placeholder records kafkajs's own record decoder reads, at the batch's offsets,
 * each carrying the error the decode stage dead-letters.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { decompress as fzstdDecompress } from 'fzstd';
import kafkajs from 'kafkajs';
import { CodecUnavailableError, NATIVE_ZSTD, compressionUnavailable, guarded, registerCodecs, type KafkajsCodec } from './codecs.js';
import { CODEC_UNAVAILABLE_CODE, CORRUPT_CODE, UNREADABLE_HEADER, framesRecords } from './unreadable-batch.js';
import { unreadableBatchError } from '../../decode/unreadable-message.js';
import { zstdFrames } from './zstd-frames.js';

const require = createRequire(import.meta.url);
const { CompressionCodecs, CompressionTypes } = kafkajs;
type Decoded = { offset: string; value: Buffer | null; headers: Record<string, Buffer> };
const KafkaDecoder = require('kafkajs/src/protocol/decoder.js') as new (buf: Buffer) => { readVarIntBytes(): Buffer };
const decodeRecord = require('kafkajs/src/protocol/recordBatch/record/v0/decoder.js') as (d: unknown, ctx: object) => Decoded;
const encodeRecord = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (r: object) => { buffer: Buffer };

/** Decodes `count` records the way kafkajs's batch decoder does. */
function readRecords(bytes: Buffer, count: number, firstOffset = '100'): Decoded[] {
  const decoder = new KafkaDecoder(bytes);
  return Array.from({ length: count }, () => decodeRecord(new KafkaDecoder(decoder.readVarIntBytes()), { firstOffset, firstTimestamp: '0' }));
}

/** `records` placed behind a record batch v2 header, sliced out the way kafkajs hands it to a codec. */
function inBatch(records: Buffer, codec: number, count: number, lastOffsetDelta: number): Buffer {
  const header = Buffer.alloc(49);
  header.writeInt8(2, 4); // magic
  header.writeInt16BE(codec, 9); // attributes
  header.writeInt32BE(lastOffsetDelta, 11);
  header.writeInt32BE(count, 45);
  return Buffer.concat([Buffer.alloc(12), header, records]).subarray(12 + 49);
}

/** A zstd frame of one raw block (or RLE block of `rle` bytes), single segment, content size in one byte. */
function zstdFrame(content: Buffer | { rle: number; byte: number }): Buffer {
  const size = Buffer.isBuffer(content) ? content.length : content.rle;
  const magic = Buffer.alloc(4);
  magic.writeUInt32LE(0xfd2fb528);
  const block = Buffer.alloc(3);
  block.writeUIntLE((size << 3) | ((Buffer.isBuffer(content) ? 0 : 1) << 1) | 1, 0, 3);
  const data = Buffer.isBuffer(content) ? content : Buffer.from([content.byte]);
  return Buffer.concat([magic, Buffer.from([0x20, size]), block, data]);
}

describe('Kafka codecs', () => {
  registerCodecs();
  const codecOf = (type: number) => (CompressionCodecs as unknown as Record<number, () => KafkajsCodec>)[type]!();

  it('round-trips every codec this runtime can write through kafkajs\'s table', async () => {
    const payload = Buffer.concat([Buffer.from('{"resourceSpans":[]}'.repeat(500)), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251))]);
    const types = { gzip: CompressionTypes.GZIP, snappy: CompressionTypes.Snappy, lz4: CompressionTypes.LZ4, zstd: CompressionTypes.ZSTD };
    for (const [name, type] of Object.entries(types)) {
      const codec = codecOf(type);
      if (compressionUnavailable(name as 'zstd')) {
        await assert.rejects(codec.compress({ buffer: payload }), /zstd/);
        continue;
      }
      const packed = await codec.compress({ buffer: payload });
      assert.ok(packed.length < payload.length, name);
      assert.deepEqual(await codec.decompress(packed), payload, name);
    }
  });

  it('splits zstd input into frames (raw, RLE, skippable in between) and reads multi-frame batches whole', async () => {
    const a = zstdFrame(Buffer.from('hello, '));
    const b = zstdFrame({ rle: 9, byte: 0x61 });
    const skippable = Buffer.concat([Buffer.from([0x50, 0x2a, 0x4d, 0x18, 4, 0, 0, 0]), Buffer.from('skip')]);
    const stream = Buffer.concat([a, skippable, b]);
    const frames = zstdFrames(stream);
    assert.deepEqual(frames, [a, b]);
    assert.equal(Buffer.from(fzstdDecompress(frames[1]!)).toString(), 'aaaaaaaaa');
    assert.equal((await codecOf(CompressionTypes.ZSTD).decompress(Buffer.concat([a, b]))).toString(), 'hello, aaaaaaaaa');
    assert.throws(() => zstdFrames(a.subarray(0, a.length - 2)), /truncated/);
    assert.throws(() => zstdFrames(Buffer.from('not zstd at all')), /bad magic/);
    if (!NATIVE_ZSTD) assert.match(compressionUnavailable('zstd') ?? '', /Node >= 22\.15/);
  });

  it('answers a corrupt batch with one placeholder per record, at its offsets, the first holding the compressed bytes', async () => {
    const garbage = Buffer.from('definitely not snappy');
    const records = await codecOf(CompressionTypes.Snappy).decompress(inBatch(garbage, CompressionTypes.Snappy, 3, 4));
    const decoded = readRecords(records, 3);
    assert.deepEqual(decoded.map((r) => r.offset), ['100', '101', '104']);
    assert.deepEqual(decoded[0]!.value, garbage);
    assert.deepEqual(decoded[1]!.value, Buffer.alloc(0));
    for (const r of decoded) assert.equal(r.headers[UNREADABLE_HEADER]!.toString(), CORRUPT_CODE);
    const error = unreadableBatchError(Object.fromEntries(Object.entries(decoded[0]!.headers).map(([k, v]) => [k, v.toString()])));
    assert.equal(error?.code, CORRUPT_CODE);
    assert.match(error!.message, /snappy batch cannot be decompressed/);
    assert.equal(unreadableBatchError({ 'content-type': 'application/x-protobuf' }), undefined);
  });

  it('counts output that does not frame the batch\'s records as corrupt, and passes good output through', async () => {
    const good = Buffer.concat([0, 1].map((i) => encodeRecord({ offsetDelta: i, key: null, value: Buffer.from(`v${i}`) }).buffer));
    assert.ok(framesRecords(good, 2));
    assert.ok(!framesRecords(good, 3));
    assert.ok(!framesRecords(Buffer.concat([good, Buffer.from([0])]), 2));
    const identity: KafkajsCodec = { compress: async (e) => e.buffer, decompress: async (b) => Buffer.from(b) };
    const codec = guarded('test', CompressionTypes.GZIP, identity);
    assert.deepEqual(await codec.decompress(inBatch(good, CompressionTypes.GZIP, 2, 1)), good);
    const placeholders = readRecords(await codec.decompress(inBatch(good, CompressionTypes.GZIP, 5, 4)), 5);
    assert.equal(placeholders[4]!.headers[UNREADABLE_HEADER]!.toString(), CORRUPT_CODE);
  });

  it('a codec this process cannot run (lz4 binary missing) makes its batches KAFKA_CODEC_UNAVAILABLE, not a failed fetch', async () => {
    const missing: KafkajsCodec = {
      compress: () => Promise.reject(new CodecUnavailableError('no binary')),
      decompress: () => Promise.reject(new CodecUnavailableError('LZ4 needs lz4-napi\'s native binary')),
    };
    const out = await guarded('lz4', CompressionTypes.LZ4, missing).decompress(inBatch(Buffer.from('frame'), CompressionTypes.LZ4, 1, 0));
    const [record] = readRecords(out, 1);
    const error = unreadableBatchError(Object.fromEntries(Object.entries(record!.headers).map(([k, v]) => [k, v.toString()])));
    assert.equal(error?.code, CODEC_UNAVAILABLE_CODE);
    assert.match(error!.message, /native binary/);
  });

  it('fails as kafkajs would when the bytes are not laid out as a record batch (no guessing)', async () => {
    const codec = guarded('lz4', CompressionTypes.LZ4, { compress: async (e) => e.buffer, decompress: () => Promise.reject(new Error('bad frame')) });
    await assert.rejects(codec.decompress(Buffer.from('standalone, no batch header in front')), /bad frame/);
    // A batch header naming another codec is not this batch's.
    await assert.rejects(codec.decompress(inBatch(Buffer.from('x'), CompressionTypes.GZIP, 1, 0)), /bad frame/);
  });
});

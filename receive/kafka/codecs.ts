/**
 * Kafka compression codecs for kafkajs, which reads only GZIP itself: a batch compressed with
 * Snappy, LZ4 or ZSTD (the OpenTelemetry Collector's Kafka exporter offers all of them) otherwise
 * stops the consumer with KafkaJSNotImplemented. `registerCodecs()` fills kafkajs's process-wide
 * codec table once; `createKafkaClient()` calls it, so every consumer and producer has them.
 *
 * - Snappy: kafkajs-snappy (pure JS). Reads a raw block (librdkafka, franz-go) and xerial framing
 *   (the Java client); writes a raw block, which both read.
 * - LZ4: lz4-napi (native; its prebuilt binary is an optional npm package per platform). Loaded on
 *   the first LZ4 batch, so a platform without the binary fails LZ4 batches only, not the start.
 * - ZSTD: node:zlib where the runtime has it (Node >= 22.15 / 23.8), else fzstd (pure JS), which
 *   only reads: writing ZSTD then is unavailable (`compressionAvailable('zstd')` is false).
 *
 * Decompression never throws into kafkajs (a throwing codec fails the whole fetch and kafkajs
 * fetches the same batch forever): a batch that cannot be read becomes placeholder records that
 * the decode stage dead-letters (unreadable-batch.ts). GZIP is wrapped the same way.
 */
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { decompress as fzstdDecompress } from 'fzstd';
// The default import: from ESM, Node's CommonJS export detection does not find CompressionCodecs
// in kafkajs's index.js (`import { CompressionCodecs } from 'kafkajs'` fails at load).
import kafkajs, { type CompressionTypes as CompressionType } from 'kafkajs';
import {
  CODEC_UNAVAILABLE_CODE,
  CORRUPT_CODE,
  batchHeaderBefore,
  framesRecords,
  placeholderRecords,
  type UnreadableCode,
} from './unreadable-batch.js';
import { zstdFrames } from './zstd-frames.js';

const require = createRequire(import.meta.url);
const { CompressionCodecs, CompressionTypes } = kafkajs;

/** What kafkajs calls (its compression/gzip.js): compress reads `encoder.buffer`. */
export interface KafkajsCodec {
  compress(encoder: { buffer: Buffer }): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
}

/** The codecs Warden's producers may write with. */
export const COMPRESSIONS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
export type Compression = (typeof COMPRESSIONS)[number];

/** A codec this process cannot run (e.g. lz4's native binary is missing); its batches are dead-lettered. */
export class CodecUnavailableError extends Error {}

type ZstdFn = (buf: Buffer, cb: (err: Error | null, out: Buffer) => void) => void;
const zlibZstd = zlib as unknown as { zstdCompress?: ZstdFn; zstdDecompress?: ZstdFn };
/** Whether node:zlib has zstd (Node >= 22.15 / 23.8); Node 20 does not. */
export const NATIVE_ZSTD = typeof zlibZstd.zstdCompress === 'function' && typeof zlibZstd.zstdDecompress === 'function';

/** Whether Warden's producers can write `compression` here; undefined when they can, else why not. */
export function compressionUnavailable(compression: Compression): string | undefined {
  if (compression === 'zstd' && !NATIVE_ZSTD) {
    return `writing zstd needs node:zlib's zstd (Node >= 22.15), this is Node ${process.versions.node}; Warden reads zstd either way`;
  }
  if (compression === 'lz4') {
    try {
      lz4Napi();
    } catch (err) {
      return (err as Error).message;
    }
  }
  return undefined;
}

/** kafkajs's CompressionTypes value for a setting. */
export function compressionType(compression: Compression): CompressionType {
  const types: Record<Compression, CompressionType> = {
    none: CompressionTypes.None,
    gzip: CompressionTypes.GZIP,
    snappy: CompressionTypes.Snappy,
    lz4: CompressionTypes.LZ4,
    zstd: CompressionTypes.ZSTD,
  };
  return types[compression];
}

/** kafkajs-snappy ships no types; its export is the codec factory kafkajs expects. */
const snappyCodec = (require('kafkajs-snappy') as () => KafkajsCodec)();

type Lz4 = typeof import('lz4-napi');
let lz4: Lz4 | undefined;
function lz4Napi(): Lz4 {
  try {
    lz4 ??= require('lz4-napi') as Lz4;
  } catch (err) {
    throw new CodecUnavailableError(`LZ4 needs lz4-napi's native binary for ${process.platform}-${process.arch}, which is not installed: ${(err as Error).message}`, { cause: err });
  }
  return lz4;
}
const lz4Codec: KafkajsCodec = {
  compress: async (encoder) => lz4Napi().compressFrame(encoder.buffer),
  decompress: async (buffer) => lz4Napi().decompressFrame(buffer),
};

function zstdCodec(native: boolean): KafkajsCodec {
  if (native) {
    const compress = promisify(zlibZstd.zstdCompress!);
    const decompress = promisify(zlibZstd.zstdDecompress!);
    return {
      compress: (encoder) => compress(encoder.buffer),
      async decompress(buffer) {
        const frames = zstdFrames(buffer);
        if (frames.length === 1) return decompress(frames[0]!);
        return Buffer.concat(await Promise.all(frames.map((frame) => decompress(frame))));
      },
    };
  }
  return {
    compress: () => Promise.reject(new CodecUnavailableError(compressionUnavailable('zstd'))),
    async decompress(buffer) {
      const out = fzstdDecompress(buffer);
      return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
    },
  };
}

/**
 * `codec` whose decompress answers an unreadable batch with placeholder records (see
 * unreadable-batch.ts) instead of failing kafkajs's fetch. Output that does not frame exactly the
 * batch's records counts as unreadable too: kafkajs would fail on it the same way.
 */
export function guarded(name: string, type: CompressionType, codec: KafkajsCodec): KafkajsCodec {
  return {
    compress: (encoder) => codec.compress(encoder),
    async decompress(buffer) {
      const header = batchHeaderBefore(buffer, type);
      let failure: { code: UnreadableCode; reason: string; err: unknown };
      try {
        const out = await codec.decompress(buffer);
        if (!header || framesRecords(out, header.count)) return out;
        failure = { code: CORRUPT_CODE, reason: `${name} batch decompressed to bytes that are not its ${header.count} records`, err: undefined };
      } catch (err) {
        const unavailable = err instanceof CodecUnavailableError;
        failure = { code: unavailable ? CODEC_UNAVAILABLE_CODE : CORRUPT_CODE, reason: unavailable ? (err as Error).message : `${name} batch cannot be decompressed: ${(err as Error)?.message ?? String(err)}`, err };
      }
      // Not a batch laid out as expected: fail as kafkajs would have, rather than guess.
      if (!header) throw failure.err ?? new Error(failure.reason);
      return placeholderRecords(header, Buffer.from(buffer), failure.code, failure.reason);
    },
  };
}

let registered = false;

/** Registers GZIP (guarded), Snappy, LZ4 and ZSTD with kafkajs; later calls do nothing. */
export function registerCodecs(options: { nativeZstd?: boolean } = {}): void {
  if (registered) return;
  registered = true;
  const gzip = require('kafkajs/src/protocol/message/compression/gzip.js') as KafkajsCodec;
  const table: Array<[string, Exclude<CompressionType, CompressionType.None>, KafkajsCodec]> = [
    ['gzip', CompressionTypes.GZIP, gzip],
    ['snappy', CompressionTypes.Snappy, snappyCodec],
    ['lz4', CompressionTypes.LZ4, lz4Codec],
    ['zstd', CompressionTypes.ZSTD, zstdCodec(options.nativeZstd ?? NATIVE_ZSTD)],
  ];
  for (const [name, type, codec] of table) {
    const wrapped = guarded(name, type, codec);
    CompressionCodecs[type] = () => wrapped;
  }
}

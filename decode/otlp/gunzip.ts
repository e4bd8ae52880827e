/**
 * Inflating a gzip-compressed body (`Content-Encoding: gzip`) with a hard cap on the inflated
 * size. Concatenated gzip members are accepted. Two forms:
 *
 * - `inflateBody` (the HTTP receiver): zlib's streaming API, on its thread pool, so the event
 *   loop keeps answering while a body inflates; output is counted chunk by chunk and the stream
 *   is destroyed as soon as the count passes the cap, so a small "zip bomb" never expands beyond
 *   `maxBytes` plus one chunk (`INFLATE_CHUNK_BYTES`). The refusal says how many bytes were
 *   inflated before the stop (`details.inflatedBytes`).
 * - `gunzipBody` (the Kafka consumer, on the normalize worker thread): the same cap, synchronous.
 *
 * A body over the cap is OTLP_TOO_LARGE; one that is not valid gzip is OTLP_GZIP.
 */
import { createGunzip, gunzipSync } from 'node:zlib';
import { OtlpErrorCode, otlpError } from './otlp-errors.js';

/** Output chunk size of the streaming inflate: the most it can go past the cap before stopping. */
export const INFLATE_CHUNK_BYTES = 64 * 1024;

function checkCap(maxBytes: number): void {
  if (!(maxBytes >= 1)) throw otlpError(OtlpErrorCode.INVALID_LIMITS, `maxBytes must be positive, got ${maxBytes}`);
}

export function gunzipBody(body: Uint8Array, maxBytes: number): Buffer {
  checkCap(maxBytes);
  try {
    return gunzipSync(body, { maxOutputLength: Math.min(maxBytes, 2 ** 31 - 1) });
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw otlpError(OtlpErrorCode.TOO_LARGE, `gunzipped body exceeds ${maxBytes} bytes`, { maxBytes }, err);
    }
    throw otlpError(OtlpErrorCode.GZIP, `invalid gzip body: ${(err as Error).message}`, {}, err);
  }
}

/** Inflates off the event loop; stops (and refuses) as soon as the output passes `maxBytes`. */
export function inflateBody(body: Uint8Array, maxBytes: number): Promise<Buffer> {
  checkCap(maxBytes);
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let inflated = 0;
    let settled = false;
    const gunzip = createGunzip({ chunkSize: INFLATE_CHUNK_BYTES });
    gunzip.on('data', (chunk: Buffer) => {
      if (settled) return;
      inflated += chunk.length;
      if (inflated > maxBytes) {
        settled = true;
        chunks.length = 0;
        gunzip.destroy();
        reject(otlpError(OtlpErrorCode.TOO_LARGE, `gunzipped body exceeds ${maxBytes} bytes (stopped after ${inflated} bytes)`, { maxBytes, inflatedBytes: inflated }));
        return;
      }
      chunks.push(chunk);
    });
    gunzip.on('error', (err) => {
      if (settled) return;
      settled = true;
      reject(otlpError(OtlpErrorCode.GZIP, `invalid gzip body: ${err.message}`, {}, err));
    });
    gunzip.on('end', () => {
      if (settled) return;
      settled = true;
      resolve(Buffer.concat(chunks, inflated));
    });
    gunzip.end(body);
  });
}

/**
 * gunzipBody: inflates a gzip-compressed request body (`Content-Encoding: gzip`) with a hard cap
 * on the inflated size. zlib stops as soon as the output passes the cap, so a small "zip bomb"
 * never expands beyond `maxBytes` in memory. Concatenated gzip members are accepted.
 */
import { gunzipSync } from 'node:zlib';
import { OtlpErrorCode, otlpError } from './otlp-errors.js';

export function gunzipBody(body: Uint8Array, maxBytes: number): Buffer {
  if (!(maxBytes >= 1)) throw otlpError(OtlpErrorCode.INVALID_LIMITS, `maxBytes must be positive, got ${maxBytes}`);
  try {
    return gunzipSync(body, { maxOutputLength: Math.min(maxBytes, 2 ** 31 - 1) });
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw otlpError(OtlpErrorCode.TOO_LARGE, `gunzipped body exceeds ${maxBytes} bytes`, { maxBytes }, err);
    }
    throw otlpError(OtlpErrorCode.GZIP, `invalid gzip body: ${(err as Error).message}`, {}, err);
  }
}

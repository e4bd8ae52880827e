/**
 * gunzipBody and inflateBody: inflate within the cap, refuse bombs without inflating them, and turn
 * corrupt input into OTLP_GZIP.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { PermanentError } from '../../lib/errors.js';
import { gunzipBody, inflateBody, INFLATE_CHUNK_BYTES } from './gunzip.js';

function rejectsWith(code: string, fn: () => unknown): void {
  assert.throws(fn, (err: unknown) => err instanceof PermanentError && err.code === code);
}

test('inflates a body up to exactly the cap', () => {
  const body = Buffer.from('x'.repeat(1000));
  assert.deepEqual(gunzipBody(gzipSync(body), 1000), body);
  rejectsWith('OTLP_TOO_LARGE', () => gunzipBody(gzipSync(body), 999));
});

test('accepts concatenated gzip members', () => {
  const joined = Buffer.concat([gzipSync(Buffer.from('ab')), gzipSync(Buffer.from('cd'))]);
  assert.equal(gunzipBody(joined, 100).toString(), 'abcd');
});

test('a zip bomb is refused at the cap', () => {
  const bomb = gzipSync(Buffer.alloc(200 * 1024 * 1024)); // ~200 KB compressed, 200 MiB inflated
  assert.ok(bomb.length < 300 * 1024);
  rejectsWith('OTLP_TOO_LARGE', () => gunzipBody(bomb, 1024 * 1024));
});

test('corrupt, truncated, empty and non-gzip bodies are OTLP_GZIP', () => {
  const good = gzipSync(Buffer.from('hello world, hello world'));
  const flipped = Buffer.from(good);
  flipped[12] = flipped[12]! ^ 0xff;
  for (const body of [good.subarray(0, good.length - 5), flipped, Buffer.alloc(0), Buffer.from('{"resourceSpans":[]}')]) {
    rejectsWith('OTLP_GZIP', () => gunzipBody(body, 1024));
  }
});

async function rejectsAsync(code: string, promise: Promise<unknown>): Promise<PermanentError> {
  let caught: unknown;
  await promise.catch((err: unknown) => (caught = err));
  assert.ok(caught instanceof PermanentError && caught.code === code, `expected ${code}, got ${String(caught)}`);
  return caught;
}

test('inflateBody (off the event loop): up to exactly the cap, concatenated members', async () => {
  const body = Buffer.from('x'.repeat(1000));
  assert.deepEqual(await inflateBody(gzipSync(body), 1000), body);
  await rejectsAsync('OTLP_TOO_LARGE', inflateBody(gzipSync(body), 999));
  const joined = Buffer.concat([gzipSync(Buffer.from('ab')), gzipSync(Buffer.from('cd'))]);
  assert.equal((await inflateBody(joined, 100)).toString(), 'abcd');
});

test('inflateBody stops a bomb within one chunk of the cap: 1 GiB declared, at most cap + 64 KiB inflated', async () => {
  // ~1 MB of gzip that inflates to 1 GiB.
  const member = gzipSync(Buffer.alloc(64 * 1024 * 1024));
  const bomb = Buffer.concat(Array.from({ length: 16 }, () => member));
  assert.ok(bomb.length < 2 * 1024 * 1024);
  const cap = 1024 * 1024;
  const refused = await rejectsAsync('OTLP_TOO_LARGE', inflateBody(bomb, cap));
  const inflated = refused.details.inflatedBytes as number;
  assert.ok(inflated > cap && inflated <= cap + INFLATE_CHUNK_BYTES, `inflated ${inflated} bytes before stopping`);
});

test('inflateBody: corrupt, truncated, empty and non-gzip bodies are OTLP_GZIP', async () => {
  const good = gzipSync(Buffer.from('hello world, hello world'));
  const flipped = Buffer.from(good);
  flipped[12] = flipped[12]! ^ 0xff;
  for (const body of [good.subarray(0, good.length - 5), flipped, Buffer.alloc(0), Buffer.from('{"resourceSpans":[]}')]) {
    await rejectsAsync('OTLP_GZIP', inflateBody(body, 1024));
  }
});

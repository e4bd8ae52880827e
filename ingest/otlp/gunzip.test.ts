/**
 * gunzipBody: inflates within the cap, refuses bombs without inflating them, and turns corrupt
 * input into OTLP_GZIP.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { PermanentError } from '../../lib/errors.js';
import { gunzipBody } from './gunzip.js';

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

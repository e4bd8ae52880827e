/**
 * Released buffers leave V8's count of external memory at once. In a process of its own, a
 * workload keeps a queue of buffers long enough for them to be promoted (as rows waiting for
 * their insert are) and drops the oldest: dropped, they wait for a full collection, and V8
 * starts one for every 64 MB of them; released, they start none.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { markAsUntransferable } from 'node:worker_threads';
import { fullCollectionsOf } from '../test/helpers/full-collections.js';
import { releaseBuffer, viewsWholeBuffer } from './release-buffer.js';

const MODULE = fileURLToPath(new URL('./release-buffer.ts', import.meta.url));

/** Full collections over 1 GB of 256 KB buffers, 200 held at a time; the oldest dropped or released. */
function fullCollections(release: boolean): Promise<number> {
  return fullCollectionsOf(`
    const { releaseBuffer } = await import(${JSON.stringify(MODULE)});
    const held = [];
    let young = [];
    for (let i = 0; i < 4000; i++) {
      const bytes = Buffer.allocUnsafeSlow(256 * 1024);
      bytes[0] = i;
      held.push(bytes);
      for (let j = 0; j < 2000; j++) young.push({ j });
      if (young.length > 20000) young = [];
      if (held.length > 200) {
        const oldest = held.shift();
        if (${release}) releaseBuffer(oldest);
      }
      if (i % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
  `);
}

describe('releasing a buffer', () => {
  test('promoted buffers dropped bring full collections; released, they bring none', async () => {
    const dropped = await fullCollections(false);
    const released = await fullCollections(true);
    assert.ok(dropped >= 8, `1 GB of dropped buffers must bring many full collections (it brought ${dropped})`);
    // Released, what is left are the few a young heap's growth brings at start.
    assert.ok(released <= dropped / 2, `released: ${released} full collections, dropped: ${dropped}`);
  });

  test('detaches the buffer: every view of it is empty; releasing again does nothing', () => {
    const bytes = Buffer.allocUnsafeSlow(1024).fill(7);
    const view = bytes.subarray(10, 20);
    assert.ok(viewsWholeBuffer(bytes));
    assert.ok(!viewsWholeBuffer(view));
    releaseBuffer(bytes);
    assert.equal(bytes.buffer.byteLength, 0);
    assert.equal(bytes.length, 0);
    assert.equal(view.length, 0);
    releaseBuffer(bytes);
  });

  test('a buffer that cannot be detached is left alone, without an error', () => {
    const shared = new Uint8Array(new SharedArrayBuffer(64)).fill(1);
    releaseBuffer(shared);
    assert.equal(shared.length, 64);
    const marked = Buffer.allocUnsafeSlow(64).fill(2);
    markAsUntransferable(marked.buffer);
    releaseBuffer(marked);
    assert.equal(marked.length, 64);
  });
});

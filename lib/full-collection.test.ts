/**
 * The setting takes effect when made after start, as `warden start` makes it. In a process of
 * its own, a workload keeps a live set and promotes short-lived objects (as events in flight
 * are); with the heap allowed to grow only 10% past what each full collection kept, it runs into
 * many more full collections than with V8's own choice. (The other way, fewer, is what the hook
 * bench measures on Warden itself: this small a workload has V8 grow its heap by a fixed step
 * that exceeds any percentage of it.)
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { fullCollectionsOf } from '../test/helpers/full-collections.js';
import { spaceFullCollections } from './full-collection.js';

const MODULE = fileURLToPath(new URL('./full-collection.ts', import.meta.url));

/** Full collections counted over a fixed workload, in a fresh process whose heap may grow `percent`. */
function fullCollections(percent: number): Promise<number> {
  return fullCollectionsOf(`
    const { spaceFullCollections } = await import(${JSON.stringify(MODULE)});
    spaceFullCollections(${percent});
    const live = [];
    for (let i = 0; i < 400_000; i++) live.push({ i, name: 'live-' + i });
    const inFlight = new Array(150_000);
    for (let n = 0; n < 12_000_000; n++) inFlight[n % inFlight.length] = { n, name: 'event-' + n };
  `);
}

describe('full collections spaced apart (WARDEN_HEAP_GROWTH_PERCENT)', () => {
  test('set after start, it decides when the next full collection comes', async () => {
    const own = await fullCollections(0);
    const close = await fullCollections(10);
    assert.ok(own >= 4, `the workload must make V8 collect fully several times on its own (it made ${own})`);
    assert.ok(close >= own * 1.5, `10%: ${close} full collections, V8's own choice: ${own}`);
  });

  test('a growth that is not a whole percentage ≥ 0 is refused', () => {
    assert.throws(() => spaceFullCollections(-1), RangeError);
    assert.throws(() => spaceFullCollections(1.5), RangeError);
  });
});

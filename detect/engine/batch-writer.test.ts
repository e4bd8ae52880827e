/**
 * BatchWriter without storage: batches by size, keyed items replaced by their newest version,
 * retryable failures kept for the next flush, permanent ones dropped, overflow bounded, and the
 * interval driven by injected timers.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PermanentError, RetryableError } from '../../lib/errors.js';
import { silentLogger } from '../../lib/logger.js';
import { Metrics } from '../../lib/metrics.js';
import { BatchWriter, type Timers } from './batch-writer.js';

function writer(write: (items: string[]) => Promise<void>, extra: { maxBatch?: number; maxPending?: number; timers?: Timers } = {}) {
  return new BatchWriter<string>({ stage: 'test', write, logger: silentLogger, metrics: new Metrics(), ...extra });
}

describe('BatchWriter', () => {
  it('writes in batches of maxBatch and keeps the newest keyed item', async () => {
    const batches: string[][] = [];
    const w = writer(async (items) => void batches.push(items), { maxBatch: 3 });
    w.add('s1:v1', 's1');
    w.add('s1:v2', 's1');
    w.add('x');
    w.add('y');
    await w.flush();
    w.add('z');
    await w.flush();
    assert.deepEqual(batches, [['s1:v2', 'x', 'y'], ['z']]);
  });

  it('keeps a batch on a retryable failure and drops it on a permanent one', async () => {
    let fail: Error | null = new RetryableError('STORAGE_UNAVAILABLE', 'down');
    const written: string[] = [];
    const w = writer(async (items) => {
      if (fail) throw fail;
      written.push(...items);
    });
    w.add('a');
    await w.flush();
    assert.equal(w.size, 1);
    fail = null;
    await w.flush();
    assert.deepEqual(written, ['a']);
    fail = new PermanentError('STORAGE_REJECTED', 'bad row');
    w.add('b');
    await w.flush();
    assert.equal(w.size, 0);
  });

  it('bounds what waits during an outage and flushes on the injected interval', async () => {
    let tick: (() => void) | undefined;
    const timers: Timers = { setInterval: (fn) => (tick = fn), clearInterval: () => undefined };
    const written: string[] = [];
    let down = true;
    const w = writer(
      async (items) => {
        if (down) throw new RetryableError('STORAGE_UNAVAILABLE', 'down');
        written.push(...items);
      },
      { maxPending: 2, maxBatch: 10, timers },
    );
    w.start();
    for (const item of ['a', 'b', 'c']) w.add(item);
    assert.equal(w.size, 2);
    down = false;
    tick!();
    await w.flush();
    assert.deepEqual(written, ['b', 'c']);
  });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Latch } from './latch.js';

test('a race answers the work when it settles first, and forgets its waiter', async () => {
  const latch = new Latch<'stopped'>();
  for (let i = 0; i < 1_000; i++) assert.equal(await latch.race(Promise.resolve(i)), i);
  await assert.rejects(latch.race(Promise.reject(new Error('failed'))), /failed/);
  // Promise.race([work, never]) would hold 1,001 reactions here until the end of the process.
  assert.equal(latch.waiting, 0);
});

test('firing the latch answers every race still running with its value, once', async () => {
  const latch = new Latch<'stopped'>();
  const never = new Promise<number>(() => {});
  const races = [latch.race(never), latch.race(never)];
  assert.equal(latch.waiting, 2);
  latch.fire('stopped');
  latch.fire('stopped');
  assert.deepEqual(await Promise.all(races), ['stopped', 'stopped']);
  assert.equal(latch.waiting, 0);
  assert.equal(latch.done, true);
});

test('after the latch fired, work already settled still wins, as the first in Promise.race does', async () => {
  const latch = new Latch<'stopped'>();
  latch.fire('stopped');
  assert.equal(await latch.race(Promise.resolve(7)), 7);
  assert.equal(await latch.race(new Promise<number>(() => {})), 'stopped');
  assert.equal(await Promise.race([Promise.resolve(7), Promise.resolve('stopped')]), 7, 'the order this keeps');
});

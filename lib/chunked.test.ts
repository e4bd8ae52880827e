import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mapInSlices } from './chunked.js';

test('maps in order, yielding to the event loop between slices (a timer gets in), not within one', async () => {
  const seen: string[] = [];
  const timer = new Promise<void>((resolve) => setImmediate(() => (seen.push('turn'), resolve())));
  const out = await mapInSlices([1, 2, 3, 4, 5], (n) => (seen.push(String(n)), n * 10), 2);
  await timer;
  assert.deepEqual(out, [10, 20, 30, 40, 50]);
  assert.deepEqual(seen, ['1', '2', 'turn', '3', '4', '5']);
  assert.deepEqual(await mapInSlices([], (n: number) => n), []);
  const small: string[] = [];
  setImmediate(() => small.push('turn'));
  await mapInSlices([1, 2], (n) => small.push(String(n)), 2);
  assert.deepEqual(small, ['1', '2'], 'one slice: no yield');
});

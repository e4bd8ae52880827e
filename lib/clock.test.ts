import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from './clock.js';

test('FakeClock advances only when told', () => {
  const clock = new FakeClock(1_000);
  assert.equal(clock.now(), 1_000);
  clock.advance(250);
  assert.equal(clock.now(), 1_250);
  assert.equal(clock.nowNs(), 1_250_000_000n);
});

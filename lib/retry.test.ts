import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay, retryWhileRetryable } from './retry.js';
import { PermanentError, RetryableError } from './errors.js';

test('retries retryable failures with growing, capped delays', async () => {
  const delays: number[] = [];
  let calls = 0;
  const result = await retryWhileRetryable(
    async () => {
      calls++;
      if (calls < 5) throw new RetryableError('STORAGE_UNAVAILABLE', 'down');
      return 'stored';
    },
    { initialMs: 100, maxMs: 400, shouldContinue: () => true, sleep: async (ms) => void delays.push(ms), random: () => 1 },
  );
  assert.equal(result, 'stored');
  assert.equal(calls, 5);
  assert.deepEqual(delays, [100, 200, 400, 400]);
});

test('permanent errors are not retried', async () => {
  let calls = 0;
  await assert.rejects(
    retryWhileRetryable(
      async () => {
        calls++;
        throw new PermanentError('INVALID_EVENT', 'bad input');
      },
      { initialMs: 1, maxMs: 1, shouldContinue: () => true, sleep: async () => {} },
    ),
    /bad input/,
  );
  assert.equal(calls, 1);
});

test('stops when told to, rethrowing the last error', async () => {
  let keepGoing = true;
  let calls = 0;
  await assert.rejects(
    retryWhileRetryable(
      async () => {
        calls++;
        if (calls === 3) keepGoing = false;
        throw new RetryableError('STORAGE_UNAVAILABLE', 'still down');
      },
      { initialMs: 1, maxMs: 1, shouldContinue: () => keepGoing, sleep: async () => {} },
    ),
    /still down/,
  );
  assert.equal(calls, 3);
});

test('jitter stays within half to full of the base delay', () => {
  assert.equal(backoffDelay(1, 100, 1000, () => 0), 50);
  assert.equal(backoffDelay(3, 100, 1000, () => 1), 400);
  assert.equal(backoffDelay(50, 100, 1000, () => 1), 1000);
});

/** Turns at detection: in order, bounded, and a failure fails the turns behind it (only those). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DetectionTurns, EARLIER_BATCH_FAILED } from './detection-turns.js';
import { RetryableError } from '../lib/errors.js';

const ticks = async (n = 5): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

function gate(): { open: () => void; opened: Promise<void> } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

test('work runs in the order the turns were taken, one at a time', async () => {
  const turns = new DetectionTurns(8);
  const log: string[] = [];
  const first = gate();
  const a = await turns.take();
  const b = await turns.take();
  const ranB = b.run(async () => void log.push('b'));
  const ranA = a.run(async () => {
    log.push('a starts');
    await first.opened;
    log.push('a ends');
  });
  await ticks();
  assert.deepEqual(log, ['a starts'], 'b waits for a');
  first.open();
  await Promise.all([ranA, ranB]);
  assert.deepEqual(log, ['a starts', 'a ends', 'b']);
});

test('take() waits while maxAhead turns are pending', async () => {
  const turns = new DetectionTurns(2);
  const held = gate();
  const a = await turns.take();
  const b = await turns.take();
  const ranA = a.run(() => held.opened);
  const ranB = b.run(async () => {});
  let third = false;
  const taking = turns.take().then((t) => {
    third = true;
    return t;
  });
  await ticks();
  assert.equal(third, false, 'no room while two turns are pending');
  held.open();
  await Promise.all([ranA, ranB]);
  const c = await taking;
  assert.equal(third, true);
  await c.run(async () => {});
  assert.equal(turns.pending, 0);
});

test('a failure fails every turn taken behind it without running it; later turns run', async () => {
  const turns = new DetectionTurns(8);
  const ran: string[] = [];
  const [a, b, c] = [await turns.take(), await turns.take(), await turns.take()];
  const results = await Promise.allSettled([
    a.run(async () => {
      throw new RetryableError('NORMALIZE_WORKER_FAILED', 'worker exited');
    }),
    b.run(async () => void ran.push('b')),
    c.run(async () => void ran.push('c')),
  ]);
  assert.deepEqual(ran, []);
  assert.equal(results[0].status, 'rejected');
  for (const r of results.slice(1)) assert.ok(r.status === 'rejected' && r.reason instanceof RetryableError && r.reason.code === EARLIER_BATCH_FAILED);
  const d = await turns.take();
  assert.equal(await d.run(async () => 'ran'), 'ran', 'a turn taken after the failure runs');
});

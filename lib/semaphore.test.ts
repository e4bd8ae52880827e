import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Semaphore } from './semaphore.js';

/** A call that ends when told to, recording when it started. */
function gate(log: string[], name: string): { call: () => Promise<string>; finish: () => void; fail: (err: Error) => void } {
  let finish!: () => void;
  let fail!: (err: Error) => void;
  const done = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  return {
    call: async () => {
      log.push(`start ${name}`);
      await done;
      return name;
    },
    finish,
    fail,
  };
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('semaphore', () => {
  test('runs at most `limit` calls at once, the rest in arrival order, each as its slot frees', async () => {
    const log: string[] = [];
    const s = new Semaphore(2);
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((n) => gate(log, n)) as [ReturnType<typeof gate>, ReturnType<typeof gate>, ReturnType<typeof gate>, ReturnType<typeof gate>];
    const results = [a, b, c, d].map((g) => s.run(g.call));
    await turn();
    assert.deepEqual(log, ['start a', 'start b']);
    assert.equal(s.active, 2);
    assert.equal(s.queued, 2);
    b.finish();
    await turn();
    assert.deepEqual(log, ['start a', 'start b', 'start c']);
    a.finish();
    await turn();
    assert.deepEqual(log, ['start a', 'start b', 'start c', 'start d']);
    c.finish();
    d.finish();
    assert.deepEqual(await Promise.all(results), ['a', 'b', 'c', 'd']);
    assert.equal(s.active, 0);
    assert.equal(s.queued, 0);
  });

  test('a call that throws gives its slot back, and its error reaches its caller unchanged', async () => {
    const log: string[] = [];
    const s = new Semaphore(1);
    const a = gate(log, 'a');
    const b = gate(log, 'b');
    const first = s.run(a.call);
    const second = s.run(b.call);
    const boom = new Error('boom');
    a.fail(boom);
    await assert.rejects(first, (err) => err === boom);
    await turn();
    assert.deepEqual(log, ['start a', 'start b']);
    b.finish();
    assert.equal(await second, 'b');
    assert.equal(s.active, 0);
  });

  test('refuses a limit that is not a whole number ≥ 1', () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) assert.throws(() => new Semaphore(bad), RangeError);
  });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CommitChain } from './commit-chain.js';

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (e: unknown) => void } {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

test('commits in order even when later batches are stored first', async () => {
  const chain = new CommitChain(10);
  const committed: number[] = [];
  const stores = [deferred(), deferred(), deferred()];
  for (let i = 0; i < 3; i++) await chain.add(stores[i]!.promise, { commit: () => void committed.push(i), rewind: () => assert.fail('no rewind') });
  stores[2]!.resolve();
  stores[1]!.resolve();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(committed, []);
  stores[0]!.resolve();
  await chain.drain();
  assert.deepEqual(committed, [0, 1, 2]);
});

test('a failed batch rewinds once and nothing after it is committed in that generation', async () => {
  const chain = new CommitChain(10);
  const committed: number[] = [];
  const rewinds: unknown[] = [];
  const stores = [deferred(), deferred(), deferred()];
  for (let i = 0; i < 3; i++) await chain.add(stores[i]!.promise, { commit: () => void committed.push(i), rewind: (e) => void rewinds.push(e) });
  stores[0]!.resolve();
  stores[1]!.reject(new Error('store down'));
  stores[2]!.resolve();
  await chain.drain();
  assert.deepEqual(committed, [0]);
  assert.equal(rewinds.length, 1);
  // The redelivered batch starts a new generation and commits normally.
  chain.restart();
  await chain.add(Promise.resolve(), { commit: () => void committed.push(1), rewind: () => assert.fail('no rewind') });
  await chain.drain();
  assert.deepEqual(committed, [0, 1]);
});

test('add waits while the number of batches in flight is at the bound', async () => {
  const chain = new CommitChain(2);
  const first = deferred();
  await chain.add(first.promise, { commit: () => {}, rewind: () => {} });
  let added = false;
  const second = chain.add(Promise.resolve(), { commit: () => {}, rewind: () => {} }).then(() => (added = true));
  await new Promise((r) => setImmediate(r));
  assert.equal(added, false);
  first.resolve();
  await second;
  assert.equal(added, true);
});

test('after a failure, batches handed over before the consumer rewound are never committed, even once stored', async () => {
  const chain = new CommitChain(10);
  const committed: string[] = [];
  const rewinds: unknown[] = [];
  const failing = deferred();
  await chain.add(failing.promise, { commit: () => void committed.push('B'), rewind: (e) => void rewinds.push(e) });
  failing.reject(new Error('permanent'));
  await chain.drain();
  assert.equal(rewinds.length, 1);
  assert.ok(chain.isBroken);
  // C was already fetched and handled when B failed: committing it would commit B's offsets too.
  await chain.add(Promise.resolve(), { commit: () => void committed.push('C'), rewind: () => assert.fail('no rewind') });
  await chain.drain();
  assert.equal(committed.length, 0);
  // The consumer delivers B again: from now on commits flow.
  chain.restart();
  await chain.add(Promise.resolve(), { commit: () => void committed.push('B again'), rewind: () => assert.fail('no rewind') });
  await chain.drain();
  assert.deepEqual(committed, ['B again']);
});

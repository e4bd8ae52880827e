/**
 * BoundedMap's order: oldest first, `lookup` and `touch` make an entry the newest, `set` on a key
 * already held keeps its place, a new key past the cap evicts the oldest (told to onEvict), and
 * iteration goes on when the entry being visited is deleted. Many reads of hot keys in a full
 * map keep that order (the list beside the Map, not delete-and-re-add).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BoundedMap } from './bounded.js';

test('lookup and touch make an entry the newest; set keeps a held key in its place', () => {
  const evicted: string[] = [];
  const m = new BoundedMap<string, number>(3, (k) => evicted.push(k));
  m.set('a', 1);
  m.set('b', 2);
  m.set('c', 3);
  assert.equal(m.lookup('a'), 1);
  m.set('b', 20);
  m.touch('c');
  assert.deepEqual([...m.entries()], [['b', 20], ['a', 1], ['c', 3]]);
  m.set('d', 4);
  assert.deepEqual(evicted, ['b']);
  assert.deepEqual([...m.values()], [1, 3, 4]);
  assert.equal(m.get('b'), undefined);
  assert.equal(m.size, 3);
});

test('deleting while iterating visits the rest; delete of the oldest and newest relinks', () => {
  const m = new BoundedMap<string, number>(10);
  for (const [i, k] of ['a', 'b', 'c', 'd'].entries()) m.set(k, i);
  const seen: string[] = [];
  for (const [k] of m.entries()) {
    seen.push(k);
    m.delete(k);
  }
  assert.deepEqual(seen, ['a', 'b', 'c', 'd']);
  assert.equal(m.size, 0);
  m.set('x', 1);
  m.set('y', 2);
  m.set('z', 3);
  assert.equal(m.delete('x'), true);
  assert.equal(m.delete('z'), true);
  assert.equal(m.delete('z'), false);
  m.set('w', 4);
  assert.deepEqual([...m.entries()], [['y', 2], ['w', 4]]);
});

test('a full map read on hot keys keeps least-recently-used order', () => {
  const m = new BoundedMap<string, number>(1000);
  for (let i = 0; i < 50_000; i++) {
    for (let h = 0; h < 5; h++) if (m.lookup(`hot-${h}`) === undefined) m.set(`hot-${h}`, h);
    m.set(`once-${i}`, i);
  }
  assert.equal(m.size, 1000);
  for (let h = 0; h < 5; h++) assert.equal(m.get(`hot-${h}`), h, 'read every round, never evicted');
  assert.equal(m.get('once-48999'), undefined);
  assert.equal(m.get('once-49005'), 49_005);
});

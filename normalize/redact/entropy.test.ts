/** Entropy and the "looks random" shape check. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { looksRandom, shannonEntropy } from './entropy.js';
import { fakeChars } from './testdata/fake-secrets.js';

test('shannon entropy of simple strings', () => {
  assert.equal(shannonEntropy(''), 0);
  assert.equal(shannonEntropy('aaaa'), 0);
  assert.equal(shannonEntropy('abab'), 1);
  assert.equal(shannonEntropy('0123456789abcdef'), 4);
});

test('random tokens look random', () => {
  assert.ok(looksRandom(fakeChars(32, 1)));
  assert.ok(looksRandom(fakeChars(40, 2, '0123456789abcdef')));
  assert.ok(looksRandom('wJalrXUtnFEMI/K7MDENG/' + 'bPxRfiCYEXAMPLEKEY'));
});

test('words, paths, uuids, short or repetitive values do not', () => {
  for (const v of [
    'configuration-value', 'my-very-long-config-name', '/usr/local/bin/node', 'abc123',
    '123e4567-e89b-12d3-a456-426614174000', 'aaaaaaaaaaaaaaaaaaaaaaaa', 'hello world this is text', '1111222233334444',
  ]) {
    assert.equal(looksRandom(v), false, v);
  }
});

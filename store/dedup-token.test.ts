/** The batch token depends on which events are in the batch, never on their order. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { batchToken } from './dedup-token.js';

it('is the same for the same ids in any order, different for a different set', () => {
  assert.equal(batchToken(['b', 'a', 'c']), batchToken(['c', 'b', 'a']));
  assert.notEqual(batchToken(['a', 'b']), batchToken(['a', 'b', 'c']));
  assert.notEqual(batchToken(['a\n1:b']), batchToken(['a', 'b']));
  assert.match(batchToken([]), /^warden-events-v1:[0-9a-f]{64}$/);
});

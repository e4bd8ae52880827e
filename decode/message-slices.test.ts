/** Cutting a consumed batch into slices: order kept, limits respected, a big message alone. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sliceMessages } from './message-slices.js';
import type { TransportMessage } from '../receive/transport/transport.js';

const message = (n: number, bytes: number): TransportMessage => ({ signal: 'traces', encoding: 'otlp_proto', key: String(n), value: Buffer.alloc(bytes, n) });
const shape = (slices: TransportMessage[][]): string[][] => slices.map((s) => s.map((m) => m.key!));

test('slices keep the order and stay within the byte limit', () => {
  const messages = [message(1, 40), message(2, 40), message(3, 40), message(4, 10), message(5, 90)];
  assert.deepEqual(shape(sliceMessages(messages, { bytes: 100, messages: 10 })), [['1', '2'], ['3', '4'], ['5']]);
});

test('slices stay within the message limit', () => {
  const messages = [1, 2, 3, 4, 5].map((n) => message(n, 1));
  assert.deepEqual(shape(sliceMessages(messages, { bytes: 1_000, messages: 2 })), [['1', '2'], ['3', '4'], ['5']]);
});

test('a message larger than the limit is a slice of its own; nothing is dropped', () => {
  const messages = [message(1, 10), message(2, 500), message(3, 10)];
  assert.deepEqual(shape(sliceMessages(messages, { bytes: 100, messages: 10 })), [['1'], ['2'], ['3']]);
  assert.deepEqual(sliceMessages([], { bytes: 100, messages: 10 }), []);
});

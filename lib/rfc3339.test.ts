/**
 * Nanosecond times to milliseconds, as detection reads every event's time: whole milliseconds,
 * rounded down, the same as exact integer division; not a time at all is 0.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nsToMs } from './rfc3339.js';

test('nsToMs: whole milliseconds of a time in nanoseconds, as exact division gives them', () => {
  for (const ns of ['1796452084353999999', '1796452084353000000', '0000001796452084353123456', '999999', '1000000', '0', '9223372036854775807', '1']) {
    const expected = /^\d{1,19}$/.test(ns) ? Number(BigInt(ns) / 1_000_000n) : 0;
    assert.equal(nsToMs(ns), expected, ns);
  }
  assert.equal(nsToMs('1796452084353999999'), 1796452084353);
  assert.equal(nsToMs(''), 0);
  assert.equal(nsToMs('-5000000'), 0);
  assert.equal(nsToMs('12e9'), 0);
  assert.equal(nsToMs('17964520843539999990'), 0, 'more than 19 digits is not a time');
});

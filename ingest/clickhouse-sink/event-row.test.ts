/**
 * Nanosecond strings to DateTime64(9) text and back to the row shape: exact digits, range
 * checks, and the field-by-field row (no stray properties).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PermanentError } from '../../lib/errors.js';
import { makeEvent } from '../../test/infra/clickhouse-events.js';
import { compactRowOf, nsToDateTime64, toCompactRow, toRow } from './event-row.js';

describe('nsToDateTime64', () => {
  const cases: Array<[string, string]> = [
    ['1763740800123456789', '2025-11-21 16:00:00.123456789'],
    ['1', '1970-01-01 00:00:00.000000001'],
    ['0', '1970-01-01 00:00:00.000000000'],
    ['', '1970-01-01 00:00:00.000000000'],
    ['999999999', '1970-01-01 00:00:00.999999999'],
    ['9223372036854775807', '2262-04-11 23:47:16.854775807'],
  ];
  for (const [ns, text] of cases) {
    it(`${JSON.stringify(ns)} -> ${text}`, () => assert.equal(nsToDateTime64(ns), text));
  }

  for (const bad of ['-1', '1.5', '1e18', ' 1', '9223372036854775808', '12345678901234567890', 'abc']) {
    it(`rejects ${JSON.stringify(bad)} as INVALID_EVENT`, () => {
      assert.throws(() => nsToDateTime64(bad, 'time_ns'), (err: unknown) => {
        assert.ok(err instanceof PermanentError);
        assert.equal(err.code, 'INVALID_EVENT');
        assert.equal(err.details.field, 'time_ns');
        return true;
      });
    });
  }
});

describe('toRow', () => {
  it('renames the time fields and copies nothing else', () => {
    const event = { ...makeEvent(), unexpected: 'x' };
    const row = toRow(event);
    assert.equal(row.time, '2025-11-21 16:00:00.123456789');
    assert.equal('time_ns' in row, false);
    assert.equal('unexpected' in row, false);
    assert.equal(Object.keys(row).length, Object.keys(makeEvent()).length);
  });
});

describe('compactRowOf', () => {
  it('is the row in insert column order, built without the row object', () => {
    const a = makeEvent();
    const b = { ...makeEvent(), event_id: 'other', time_ns: '1763740801000000001', observed_ns: '' };
    assert.deepEqual(compactRowOf(a), toCompactRow(toRow(a)));
    assert.deepEqual(compactRowOf(b), toCompactRow(toRow(b)));
    // The per-second date cache must not leak one event's second into the next.
    assert.equal(compactRowOf(a)[31], '2025-11-21 16:00:00.123456789');
    assert.equal(compactRowOf(b)[31], '2025-11-21 16:00:01.000000001');
  });
});

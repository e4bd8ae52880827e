/**
 * Nanosecond strings to DateTime64(9) text and back to the row shape: exact digits, range
 * checks, and the insert row in column order (no stray properties).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PermanentError } from '../lib/errors.js';
import { makeEvent } from '../test/infra/clickhouse-events.js';
import type { AuditEvent } from '../model/audit-event.js';
import { compactRowOf, INSERT_COLUMNS, nsToDateTime64 } from './event-row.js';

describe('nsToDateTime64', () => {
  const cases: Array<[string, string]> = [
    ['1763740800123456789', '2025-11-21 16:00:00.123456789'],
    ['1', '1970-01-01 00:00:00.000000001'],
    ['0', '1970-01-01 00:00:00.000000000'],
    ['', '1970-01-01 00:00:00.000000000'],
    ['999999999', '1970-01-01 00:00:00.999999999'],
    ['4294967295999999999', '2106-02-07 06:28:15.999999999'],
  ];
  for (const [ns, text] of cases) {
    it(`${JSON.stringify(ns)} -> ${text}`, () => assert.equal(nsToDateTime64(ns), text));
  }

  // Past 2106-02-07T06:28:15Z the TTL (a DateTime of the time) wraps: such a row would be stored,
  // then deleted. Past 2262 DateTime64(9) itself overflows.
  for (const bad of ['-1', '1.5', '1e18', ' 1', '4294967296000000000', '9223372036854775807', '9223372036854775808', '12345678901234567890', 'abc']) {
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

describe('compactRowOf', () => {
  const TIMES: Record<string, keyof AuditEvent> = { time: 'time_ns', end_time: 'end_time_ns', observed: 'observed_ns' };
  it('holds every insert column, in order: the event field, times as DateTime64(9) text', () => {
    const a = makeEvent();
    const b = { ...makeEvent(), event_id: 'other', time_ns: '1763740801000000001', observed_ns: '' };
    for (const event of [a, b]) {
      const row = compactRowOf(event);
      assert.equal(row.length, INSERT_COLUMNS.length);
      INSERT_COLUMNS.forEach((column, i) => {
        const time = TIMES[column];
        const expected = time ? nsToDateTime64(event[time] as string) : event[column as keyof AuditEvent];
        assert.deepEqual(row[i], expected, column);
      });
    }
    // The per-second date cache must not leak one event's second into the next.
    assert.equal(compactRowOf(a)[INSERT_COLUMNS.indexOf('time')], '2025-11-21 16:00:00.123456789');
    assert.equal(compactRowOf(b)[INSERT_COLUMNS.indexOf('time')], '2025-11-21 16:00:01.000000001');
    assert.equal(compactRowOf(b)[INSERT_COLUMNS.indexOf('observed')], '1970-01-01 00:00:00.000000000');
  });
  it('copies nothing else: a stray property never reaches the insert', () => {
    const row = compactRowOf({ ...makeEvent(), unexpected: 'x' } as AuditEvent);
    assert.equal(row.includes('x'), false);
    assert.equal(row.length, INSERT_COLUMNS.length);
  });
});

/**
 * Template rendering: known placeholders substituted after validation, bound parameters left
 * alone, anything else refused; statement splitting ignores comment-only parts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderSql, splitStatements } from './sql-template.js';

describe('renderSql', () => {
  it('substitutes database and ttl_days, leaves bound parameters alone', () => {
    const sql = renderSql('SELECT {x:String} FROM {database}.t TTL t + INTERVAL {ttl_days} DAY', {
      database: 'warden',
      ttlDays: 90,
    });
    assert.equal(sql, 'SELECT {x:String} FROM warden.t TTL t + INTERVAL 90 DAY');
  });

  for (const database of ['a-b', 'x; DROP DATABASE y', '', '1abc', 'a.b', '`q`']) {
    it(`refuses database ${JSON.stringify(database)}`, () => {
      assert.throws(() => renderSql('{database}', { database, ttlDays: 1 }), { code: 'CONFIG_INVALID' });
    });
  }

  for (const ttlDays of [0, -1, 1.5, Number.NaN, 100_000]) {
    it(`refuses ttlDays ${ttlDays}`, () => {
      assert.throws(() => renderSql('{ttl_days}', { database: 'w', ttlDays }), { code: 'CONFIG_INVALID' });
    });
  }

  it('refuses an unknown placeholder', () => {
    assert.throws(() => renderSql('SELECT {tenant}', { database: 'w', ttlDays: 1 }), { code: 'INVALID_MIGRATION' });
  });
});

describe('splitStatements', () => {
  it('splits at line-ending semicolons and drops comment-only parts', () => {
    const sql = '-- head\nCREATE TABLE a (s String DEFAULT \';\');\n\nCREATE TABLE b (x UInt8);  \n-- trailing note\n';
    assert.deepEqual(splitStatements(sql), [
      "-- head\nCREATE TABLE a (s String DEFAULT ';')",
      'CREATE TABLE b (x UInt8)',
    ]);
  });
});

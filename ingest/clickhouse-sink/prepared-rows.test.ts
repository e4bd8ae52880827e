/**
 * Prepared rows: the bytes are the events' JSONCompactEachRow lines, and every way of cutting
 * them (gathering several batches, dropping already-stored ids, keeping the last copy of an id)
 * keeps each row's bytes with its id — including lines with multi-byte characters.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeEvent } from '../../test/infra/clickhouse-events.js';
import type { AuditEvent } from '../audit-event.js';
import { compactRowOf } from './event-row.js';
import { appendRows, emptyRows, filterRows, lastById, prepareRows, rowsBody, type PreparedRows } from './prepared-rows.js';

const event = (id: string, command: string, overrides: Partial<AuditEvent> = {}): AuditEvent =>
  makeEvent({ event_id: id, command, ...overrides });

/** The body's lines, parsed, with the ids they were stored under. */
function bodyRows(rows: PreparedRows): Array<{ id: string; row: unknown[] }> {
  const text = rowsBody(rows).toString('utf8');
  const lines = text === '' ? [] : text.split('\n');
  assert.equal(lines.length, rows.ids.length, 'one line per row');
  return lines.map((line, i) => ({ id: rows.ids[i]!, row: JSON.parse(line) as unknown[] }));
}

describe('prepared rows', () => {
  it('are the events’ compact rows, one line each, with their id, tenant, session and signal', async () => {
    const events = [event('a', 'ls'), event('b', 'rm -rf "/tmp/é ü"', { tenant: 't2', session_id: 's2', signal: 'logs' }), event('c', 'echo 🚀 done')];
    const rows = await prepareRows(events);
    assert.deepEqual(rows.ids, ['a', 'b', 'c']);
    assert.deepEqual(rows.tenants, [events[0]!.tenant, 't2', events[2]!.tenant]);
    assert.deepEqual(rows.sessions, [events[0]!.session_id, 's2', events[2]!.session_id]);
    assert.deepEqual(rows.signals, [events[0]!.signal, 'logs', events[2]!.signal]);
    assert.deepEqual(
      bodyRows(rows).map((r) => r.row),
      events.map((e) => JSON.parse(JSON.stringify(compactRowOf(e))) as unknown[]),
    );
  });

  it('a command with a newline stays on one line (escaped by JSON)', async () => {
    const rows = await prepareRows([event('a', 'cat <<EOF\nDROP TABLE x;\nEOF'), event('b', 'ls')]);
    const parsed = bodyRows(rows);
    assert.equal(parsed[0]!.row[14], 'cat <<EOF\nDROP TABLE x;\nEOF');
    assert.equal(parsed[1]!.row[14], 'ls');
  });

  it('gathered from several batches and filtered, each kept row keeps its own bytes', async () => {
    const gathered = emptyRows();
    appendRows(gathered, await prepareRows([event('a', 'ls é'), event('b', 'pwd'), event('c', 'git status')]));
    appendRows(gathered, await prepareRows([event('d', 'echo ü'), event('e', 'whoami')]));
    appendRows(gathered, await prepareRows([]));
    assert.deepEqual(gathered.ids, ['a', 'b', 'c', 'd', 'e']);

    for (const keep of [['a', 'c', 'e'], ['b', 'c', 'd'], ['e'], ['a'], [], ['a', 'b', 'c', 'd', 'e']]) {
      const kept = filterRows(gathered, (i) => keep.includes(gathered.ids[i]!));
      assert.deepEqual(kept.ids, keep);
      const commands = bodyRows(kept).map((r) => r.row[14]);
      const expected = keep.map((id) => ({ a: 'ls é', b: 'pwd', c: 'git status', d: 'echo ü', e: 'whoami' })[id]);
      assert.deepEqual(commands, expected, `keeping ${keep.join(',') || 'nothing'}`);
    }
  });

  it('lastById keeps one row per id, the last copy, in the order of the last copies', async () => {
    const gathered = emptyRows();
    appendRows(gathered, await prepareRows([event('a', 'first a'), event('b', 'only b')]));
    appendRows(gathered, await prepareRows([event('a', 'second a'), event('c', 'only c')]));
    const unique = lastById(gathered);
    assert.deepEqual(unique.ids, ['b', 'a', 'c']);
    assert.deepEqual(bodyRows(unique).map((r) => r.row[14]), ['only b', 'second a', 'only c']);
  });

  it('an event that cannot be stored is refused while preparing (INVALID_EVENT)', async () => {
    await assert.rejects(prepareRows([event('a', 'ls', { time_ns: 'yesterday' })]), (err: unknown) => (err as { code?: string }).code === 'INVALID_EVENT');
  });
});

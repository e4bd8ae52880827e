/**
 * Prepared rows: the bytes are the events' JSONCompactEachRow lines, and every way of cutting
 * them (gathering several batches, dropping already-stored ids, keeping the last copy of an id)
 * keeps each row's bytes with its id — including lines with multi-byte characters.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { makeEvent } from '../test/infra/clickhouse-events.js';
import type { AuditEvent } from '../model/audit-event.js';
import { compactRowOf } from './event-row.js';
import { appendRows, emptyRows, filterRows, insertBody, lastById, preparedRowsFrom, prepareRows, releaseRows, rowLine, rowsToHandOver, splitByDay, type PreparedRows } from './prepared-rows.js';

const event = (id: string, command: string, overrides: Partial<AuditEvent> = {}): AuditEvent =>
  makeEvent({ event_id: id, command, ...overrides });

/** The body's lines, parsed, with the ids they were stored under. */
function bodyRows(rows: PreparedRows): Array<{ id: string; row: unknown[] }> {
  const text = insertBody(rows).bytes.toString('utf8');
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

  it('lastById keeps the first copy of an intent whose id is its tool call’s (the one detection judged)', async () => {
    const intent = (id: string, command: string, source: string) => event(id, command, { phase: 'intent', tool_call_id: 'toolu_1', source });
    const gathered = emptyRows();
    appendRows(gathered, await prepareRows([intent('k', 'rm -rf build', 'hook'), event('b', 'only b')]));
    appendRows(gathered, await prepareRows([intent('k', '', 'claude_code'), event('b', 'second b')]));
    assert.deepEqual(gathered.byCall, [true, false, true, false]);
    const unique = lastById(gathered);
    assert.deepEqual(unique.ids, ['k', 'b']);
    assert.deepEqual(bodyRows(unique).map((r) => r.row[14]), ['rm -rf build', 'second b']);
    assert.deepEqual(filterRows(gathered, (i) => i > 0).byCall, [false, true, false]);
  });

  it('an event that cannot be stored is refused while preparing (INVALID_EVENT)', async () => {
    await assert.rejects(prepareRows([event('a', 'ls', { time_ns: 'yesterday' })]), (err: unknown) => (err as { code?: string }).code === 'INVALID_EVENT');
  });

  it('lone surrogates, in values and map keys, become U+FFFD and the event is reported; pairs and escaped text are kept', async () => {
    const replaced: number[] = [];
    const rows = await prepareRows(
      [
        event('a', 'ok 🚀'),
        event('b', 'x\udc00y', { attributes: { bad: '\ud800', 'k\udbff': 'v', pair: '😀' } }),
        event('c', 'literal \\ud800 text'),
      ],
      (i) => replaced.push(i),
    );
    assert.deepEqual(replaced, [1]);
    const parsed = bodyRows(rows);
    assert.equal(parsed[0]!.row[14], 'ok 🚀');
    assert.equal(parsed[1]!.row[14], 'x\ufffdy');
    assert.deepEqual(parsed[1]!.row[34], { bad: '\ufffd', 'k\ufffd': 'v', pair: '😀' });
    assert.equal(parsed[2]!.row[14], 'literal \\ud800 text');
    assert.ok(!rowLine(rows, 1).toString('utf8').includes('\\u'), 'no escaped lone surrogate left for ClickHouse to refuse');
  });

  it('splitByDay cuts rows into groups of at most N days, each day whole, rows in order', async () => {
    const day = 86_400_000_000_000n;
    const events = Array.from({ length: 7 }, (_, i) => event(`e${i}`, 'ls', { time_ns: (BigInt([0, 1, 0, 2, 3, 1, 4][i]!) * day + 5n).toString() }));
    const rows = await prepareRows(events);
    assert.deepEqual(rows.days, [0, 1, 0, 2, 3, 1, 4]);
    const groups = splitByDay(rows, 2);
    assert.deepEqual(groups.map((g) => g.ids), [['e0', 'e1', 'e2', 'e5'], ['e3', 'e4'], ['e6']]);
    assert.deepEqual(groups.map((g) => bodyRows(g).map((r) => r.id)), groups.map((g) => g.ids));
    assert.equal(splitByDay(rows, 5)[0], rows, 'all days fit: no copy');
  });

  it('rowLine is one row\'s bytes, across gathered parts', async () => {
    const gathered = emptyRows();
    appendRows(gathered, await prepareRows([event('a', 'é first'), event('b', 'second')]));
    appendRows(gathered, await prepareRows([event('c', 'third ü')]));
    assert.deepEqual([0, 1, 2].map((i) => (JSON.parse(rowLine(gathered, i).toString('utf8')) as unknown[])[14]), ['é first', 'second', 'third ü']);
  });

  it('handed over to another thread, the bytes are moved, owned there, and released once stored', async () => {
    // A small text shares Node's buffer pool: handing it over copies it into a buffer of its own first.
    const small = await prepareRows([event('a', 'ls'), event('b', 'pwd')]);
    const large = await prepareRows(Array.from({ length: 40 }, (_, i) => event(`l${i}`, `echo ${'x'.repeat(200)} ${i}`)));
    assert.notEqual(small.parts[0]!.text.byteLength, small.parts[0]!.text.buffer.byteLength, 'the small text views a shared pool');
    const handed = [rowsToHandOver(small), rowsToHandOver(large)];
    assert.equal(handed[1]!.rows.parts[0]!.text, large.parts[0]!.text, 'a text with a buffer of its own is not copied');
    const { port1, port2 } = new MessageChannel();
    for (const h of handed) port1.postMessage(h.rows, h.transfer);
    assert.equal(large.parts[0]!.text.length, 0, 'moved: the sender no longer has the bytes');
    assert.ok(small.parts[0]!.text.length > 0, 'the pool the small text came from is untouched');
    const arrived = [receiveMessageOnPort(port2)!.message as unknown, receiveMessageOnPort(port2)!.message as unknown].map((m, i) => preparedRowsFrom(m, i === 0 ? 2 : 40)!);
    port1.close();
    assert.ok(arrived.every((r) => r.parts.every((p) => p.owned === true)));
    assert.deepEqual(bodyRows(arrived[0]!).map((r) => r.row[14]), ['ls', 'pwd']);

    const gathered = emptyRows();
    for (const r of arrived) appendRows(gathered, r);
    const body = insertBody(gathered);
    assert.equal(body.bytes.toString('utf8').split('\n').length, 42);
    body.release();
    assert.equal(body.bytes.length, 0, 'the gathered body is given back');
    assert.ok(gathered.parts.every((p) => p.text.length > 0), 'its parts are not');
    releaseRows(gathered);
    assert.ok(gathered.parts.every((p) => p.text.buffer.byteLength === 0), 'released once stored');
  });

  it('rows prepared on this thread are not owned: releasing them leaves their bytes alone', async () => {
    const rows = await prepareRows(Array.from({ length: 40 }, (_, i) => event(`l${i}`, `echo ${'x'.repeat(200)} ${i}`)));
    releaseRows(rows);
    assert.equal(bodyRows(rows).length, 40);
    const one = insertBody(rows);
    one.release();
    assert.equal(one.bytes, rows.parts[0]!.text, 'one part is its own body, not copied');
    assert.ok(one.bytes.length > 0, 'and not released with the body');
  });
});

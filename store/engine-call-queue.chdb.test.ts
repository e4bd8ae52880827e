/**
 * The embedded engine's calls queued per connection (engine-call-queue.ts), on the real engine
 * through the handle Warden opens: statements queued on one connection leave libuv's pool to the
 * file work every accepted request waits for, and still run in order with their own results,
 * raw inserts among them; a failing statement does not hold the queue.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { openTempChdb, type TempChdb } from '../test/infra/clickhouse-chdb.js';

let chdb: TempChdb;
before(async () => {
  chdb = await openTempChdb('warden_queue_test');
});
after(async () => {
  await chdb?.cleanup();
});

describe('embedded engine calls, queued per connection', () => {
  test("five slow statements queued on Warden's connection: a file operation started after them ends before the first of them", async () => {
    const done: string[] = [];
    // More than libuv's default pool (4 threads): unqueued, each would hold a thread while it waits for the connection.
    const slow = Array.from({ length: 5 }, (_, i) =>
      chdb.handle.client.command({ query: 'SELECT sleep(0.4)' }).then(() => void done.push(`statement ${i + 1}`)),
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    await stat(tmpdir());
    done.push('stat');
    await Promise.all(slow);
    assert.deepEqual(done, ['stat', 'statement 1', 'statement 2', 'statement 3', 'statement 4', 'statement 5']);
  });

  test('calls keep their order and their own answers; a refused statement frees the queue for the next', async () => {
    const { client, database } = chdb.handle;
    await client.command({ query: `CREATE TABLE ${database}.queued (n UInt32) ENGINE = MergeTree ORDER BY n` });
    const calls = [
      chdb.handle.insertFormatted({ table: `${database}.queued`, columns: ['n'], body: Buffer.from('[1]\n[2]\n[3]'), settings: {} }).then(() => 'inserted'),
      client.command({ query: 'SELECT no_such_function()' }).then(
        () => 'not refused',
        () => 'refused',
      ),
      client.query({ query: `SELECT sum(n) AS s FROM ${database}.queued`, format: 'JSONEachRow' }).then(async (r) => (await r.json<{ s: string }>())[0]?.s),
      client.query({ query: 'SELECT 42 AS x', format: 'JSONEachRow' }).then(async (r) => (await r.json<{ x: number }>())[0]?.x),
    ];
    assert.deepEqual(await Promise.all(calls), ['inserted', 'refused', '6', 42]);
  });
});

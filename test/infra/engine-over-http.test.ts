/**
 * The embedded engine in its own process behind ClickHouse's HTTP interface (engine-over-http.ts)
 * answers Warden like a server: the same storage suite store/server.test.ts runs against a
 * ClickHouse server in a container runs here through @clickhouse/client over HTTP, after the same
 * migrations (twice: they must be idempotent). Then what the interface itself must get right:
 * errors as a server sends them, parameters bound from their text, settings for one request
 * only, the current database per request, gzip both ways, `/ping`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { silentLogger } from '../../lib/logger.js';
import { migrate } from '../../store/migrations.js';
import { openClickHouse, type ClickHouseHandle } from '../../store/open-clickhouse.js';
import { mapStorageError } from '../../store/storage-errors.js';
import { clickhouseStoreSuite } from './clickhouse-store-suite.js';
import { startEngineOverHttp, type SharedClickHouse } from './engine-over-http.js';

let engine: SharedClickHouse | undefined;
let handle: ClickHouseHandle | undefined;

before(async () => {
  engine = await startEngineOverHttp();
  handle = await openClickHouse({ url: engine.url, dataPath: '', database: 'warden_http_test', logger: silentLogger });
  await migrate(handle, { ttlDays: 3650 });
  await migrate(handle, { ttlDays: 3650 });
});

after(async () => {
  await handle?.close();
  await engine?.stop();
});

describe('audit store (chdb in its own process over HTTP)', { timeout: 300_000 }, () => {
  clickhouseStoreSuite(
    () => {
      if (!handle) throw new Error('handle not opened');
      return handle;
    },
    { label: 'chdb-over-http', bulkEvents: 20_000, bulkBatchSize: 5_000 },
  );
});

describe('the HTTP interface', () => {
  let client: ClickHouseClient;
  before(() => {
    client = createClient({ url: engine!.url, compression: { request: true, response: true }, log: { level: ClickHouseLogLevel.OFF } });
  });
  after(async () => {
    await client.close();
  });

  it('answers /ping and the client ping', async () => {
    const res = await fetch(`${engine!.url}/ping`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'Ok.\n');
    assert.equal((await client.ping()).success, true);
  });

  it('reports a failed statement as a server does: status, exception-code header, Code: N. DB::Exception text', async () => {
    const res = await fetch(`${engine!.url}/?database=warden_http_test`, { method: 'POST', body: 'SELECT * FROM no_such_table' });
    assert.equal(res.status, 404);
    assert.equal(res.headers.get('x-clickhouse-exception-code'), '60');
    assert.match(await res.text(), /^Code: 60\. DB::Exception: .*\(UNKNOWN_TABLE\) \(version [\d.]+\)\n$/s);
    const syntax = await fetch(engine!.url, { method: 'POST', body: 'SELEC 1' });
    assert.equal(syntax.status, 400);
    assert.equal(syntax.headers.get('x-clickhouse-exception-code'), '62');
    // Through the client and Warden's mapping, as from a server.
    const err = await client.query({ query: 'SELECT throwIf(1)' }).then(
      () => assert.fail('should fail'),
      (e: unknown) => e,
    );
    assert.equal((err as { type?: string }).type, 'FUNCTION_THROW_IF_VALUE_IS_NON_ZERO');
    const mapped = mapStorageError(err, 'probe');
    assert.equal(mapped.code, 'STORAGE_REJECTED');
    // What a failed statement began to write never reaches a later answer (chdb keeps it on the connection).
    for (let i = 0; i < 8; i++) {
      await client.query({ query: 'SELECT throwIf(1)' }).catch(() => undefined);
      const rs = await client.query({ query: 'SELECT 1 AS one', format: 'JSONEachRow' });
      assert.deepEqual(await rs.json(), [{ one: 1 }]);
    }
  });

  // A plain client (no OUTPUT_SETTINGS): 64-bit integers arrive as the engine's default prints them.
  it('binds parameters from their text, escapes and composite types included', async () => {
    const weird = "quote ' back \\ tab \t newline \n end";
    const rs = await client.query({
      query: 'SELECT {s:String} AS s, {a:Array(String)} AS a, {n:Int64} AS n, {m:Map(String, UInt8)} AS m, {z:Nullable(String)} AS z',
      query_params: { s: weird, a: [weird, 'x'], n: -42, m: { k: 7 }, z: null },
      format: 'JSONEachRow',
    });
    assert.deepEqual(await rs.json(), [{ s: weird, a: [weird, 'x'], n: -42, m: { k: 7 }, z: null }]);
  });

  it('applies settings to their request only, and each request gets the database it names', async () => {
    const setting = async (c: ClickHouseClient, settings = {}) =>
      (await (await c.query({ query: "SELECT getSetting('max_block_size') AS v, currentDatabase() AS db", format: 'JSONEachRow', clickhouse_settings: settings })).json<{ v: string; db: string }>())[0]!;
    const dflt = await setting(client);
    assert.equal(String((await setting(client, { max_block_size: '777' })).v), '777');
    await client.command({ query: 'SET max_block_size = 555' }); // a SET in the SQL lasts for its request too
    for (let i = 0; i < 8; i++) assert.deepEqual(await setting(client), dflt, 'no setting reaches a later request');
    assert.equal((await setting(handle!.client)).db, 'warden_http_test');
    assert.equal(dflt.db, 'default');
  });

  it('stores gzip-compressed inserts and reads gzip-compressed answers', async () => {
    await client.command({ query: 'CREATE TABLE IF NOT EXISTS default.gz (a String, n UInt32) ENGINE = MergeTree ORDER BY n' });
    const values = Array.from({ length: 2_000 }, (_, n) => ({ a: `row ${n}; ' "`, n }));
    await client.insert({ table: 'default.gz', values, format: 'JSONEachRow' });
    const rs = await client.query({ query: 'SELECT count() AS c, uniqExact(a) AS u FROM default.gz', format: 'JSONEachRow' });
    assert.deepEqual(await rs.json(), [{ c: 2000, u: 2000 }]);
  });
});

/**
 * The embedded engine's calls on one connection, queued here one at a time instead of on
 * libuv's thread pool.
 *
 * chdb runs one statement at a time per connection (each has its own session), but hands every
 * call to a thread of libuv's pool at once, where it waits for the connection's earlier calls:
 * four calls queued on one connection held all four threads (libuv's default pool) until the
 * first was done. The same pool does Warden's file work — the write-ahead log's writes and
 * fsyncs, which every accepted request and every gate answer waits for, and the revocation log's
 * and the webhook outbox's — so that work waited behind inserts it has nothing to do with. On
 * this machine, 4 `SELECT sleep(1)` queued on one connection held an `fs.stat` for 1,005 ms; at
 * 5,000 spans/s, a request's write and sync took p99 178 ms.
 *
 * Queued here, a connection's calls run in the same order and as fast (the engine ran them one
 * after another anyway), and hold at most one pool thread per connection — Warden opens two, one
 * that writes and one for operator queries — leaving the rest to the files. Over HTTP (a server)
 * no pool thread is held and nothing is queued.
 */
import type { ClickHouseClientConfigOptions } from '@clickhouse/client';
import { Semaphore } from '../lib/semaphore.js';

/** chdb's native bulk insert: the bytes handed to the engine's parser as they are (open-clickhouse.ts). */
export interface ChdbRawInsert {
  chdb: {
    rawInsert(params: { table: string; format: 'JSONCompactEachRow'; columns: readonly string[]; values: Buffer; settings: Record<string, string> }): Promise<unknown>;
  };
}

/** What the client is given as its connection (chdb's implements it). */
export type ClientConnection = NonNullable<ClickHouseClientConfigOptions['connection']>;

/** The connection with its calls (statements, inserts, pings, raw inserts) run one at a time, in arrival order. */
export function queueEngineCalls<C extends ClientConnection & Partial<ChdbRawInsert>>(connection: C): C & { readonly queue: Semaphore } {
  const queue = new Semaphore(1);
  const queued: ClientConnection & { queue: Semaphore } = {
    queue,
    query: (params) => queue.run(() => connection.query(params)),
    exec: (params) => queue.run(() => connection.exec(params)),
    command: (params) => queue.run(() => connection.command(params)),
    insert: (params) => queue.run(() => connection.insert(params)),
    ping: (params) => queue.run(() => connection.ping(params)),
    close: () => connection.close(),
  };
  const raw = connection.chdb;
  // The wrapper has the connection's shape (the client's Connection, and chdb's raw insert when it has one).
  return (raw ? { ...queued, chdb: { rawInsert: (params: Parameters<ChdbRawInsert['chdb']['rawInsert']>[0]) => queue.run(() => raw.rawInsert(params)) } } : queued) as C & { queue: Semaphore };
}

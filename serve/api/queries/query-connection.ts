/**
 * The connection operator queries run on, apart from the one Warden writes with.
 *
 * Embedded engine: a second chdb connection to the same data directory. chdb gives each
 * connection its own session (current database, settings) and runs connections in parallel,
 * while queries on one connection run one after another — so a slow operator query does not hold
 * up ingest's inserts, and nothing an operator query does to its session reaches the writer's.
 * Its current database is Warden's (set once, before the first query), so operators name tables
 * without it. Server: the storage handle's own HTTP client, where every request is its own
 * session already; closing the query connection leaves it open.
 */
import { createClient, type ClickHouseClient, type ClickHouseClientConfigOptions } from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';
import { OUTPUT_SETTINGS, queueEngineCalls, type ClickHouseEngine, type ClickHouseHandle } from '../../../store/index.js';
import { PermanentError } from '../../../lib/errors.js';

export interface QueryConnection {
  readonly engine: ClickHouseEngine;
  readonly database: string;
  /** The client, once its session is ready (Warden's database current). */
  client(): Promise<ClickHouseClient>;
  close(): Promise<void>;
}

type ChdbAsClientConnection = NonNullable<ClickHouseClientConfigOptions['connection']>;

/** `dataPath`: the embedded engine's data directory (required with chdb, ignored with a server). */
export function openQueryConnection(storage: ClickHouseHandle, dataPath?: string): QueryConnection {
  const { database } = storage;
  if (storage.engine === 'server') {
    return { engine: 'server', database, client: () => Promise.resolve(storage.client), close: async () => {} };
  }
  if (!dataPath) throw new PermanentError('CONFIG_INVALID', 'operator queries on the embedded engine need its data directory');
  // Same cast as open-clickhouse.ts: chdb declares its own copy of the client's Connection type.
  // Queued like the writer's, so its calls hold no more than one of libuv's threads (engine-call-queue.ts).
  const connection = queueEngineCalls(createChdbConnection({ path: dataPath }) as unknown as ChdbAsClientConnection);
  const client = createClient({ connection, clickhouse_settings: OUTPUT_SETTINGS });
  let ready: Promise<ClickHouseClient> | undefined;
  return {
    engine: 'chdb',
    database,
    client: () =>
      (ready ??= client.command({ query: `USE ${database}` }).then(
        () => client,
        (err: unknown) => {
          ready = undefined;
          throw err;
        },
      )),
    close: () => client.close(),
  };
}

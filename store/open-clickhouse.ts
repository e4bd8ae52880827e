/**
 * Opens ClickHouse through @clickhouse/client: over HTTP when a URL is given (a server), otherwise
 * in-process through the chdb connection with its data directory on disk (created if missing).
 * Both clients get the same output settings, so 64-bit integers arrive as JSON strings from
 * either engine, and the database is created if it does not exist. All Warden SQL names tables
 * as `database.table`, so it never depends on a session's current database.
 */
import { mkdir } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import {
  ClickHouseLogLevel,
  createClient,
  parseError,
  type ClickHouseClient,
  type ClickHouseClientConfigOptions,
  type ClickHouseSettings,
} from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';
import type { Logger } from '../lib/logger.js';
import { clientLoggerClass } from './client-log-bridge.js';
import { withStorageErrors } from './storage-errors.js';
import { checkIdentifier } from './sql-template.js';
import { CLUSTER_QUERY_SETTINGS } from './cluster-ddl.js';
import { queueEngineCalls, type ChdbRawInsert, type ClientConnection } from './engine-call-queue.js';

export type ClickHouseEngine = 'chdb' | 'server';

export interface ClickHouseHandle {
  readonly client: ClickHouseClient;
  readonly database: string;
  /**
   * Which engine is behind the client. With chdb, settings passed per call are applied with SET
   * and stay on the session: code that sets one per call must set it back (see audit-store.ts).
   */
  readonly engine: ClickHouseEngine;
  /**
   * Bulk insert of an already-formatted body (JSONCompactEachRow). Over HTTP this is the client's
   * insert; in process it hands the bytes to chdb's native insert, which parses them with the
   * engine's parallel parser instead of inlining them into the SQL text, and whose settings apply
   * to that insert only. Same table, same format, same deduplication either way.
   */
  insertFormatted(params: FormattedInsert): Promise<void>;
  close(): Promise<void>;
}

export interface FormattedInsert {
  table: string;
  columns: readonly string[];
  /** One JSON array per line, in `columns` order. */
  body: Buffer;
  settings: Record<string, string>;
}

export type { ChdbRawInsert } from './engine-call-queue.js';

export interface OpenClickHouseOptions {
  /** Server URL (CLICKHOUSE_URL), e.g. `http://localhost:8123`. Absent: embedded chdb. */
  url?: string;
  /** chdb data directory; ignored with `url`. One per process: chdb binds a single directory. */
  dataPath: string;
  database: string;
  username?: string;
  password?: string;
  /** HTTP request timeout; default 30 s. */
  requestTimeoutMs?: number;
  /**
   * ClickHouse cluster (CLICKHOUSE_CLUSTER) whose Distributed tables Warden reads and writes: its
   * queries then carry CLUSTER_QUERY_SETTINGS (cluster-ddl.ts). Empty or absent: one server.
   */
  cluster?: string;
  logger: Logger;
}

/** Applied to every query from both engines, so results have one shape. */
export const OUTPUT_SETTINGS: ClickHouseSettings = {
  output_format_json_quote_64bit_integers: 1,
  output_format_json_quote_64bit_floats: 0,
  output_format_json_quote_decimals: 0,
  date_time_input_format: 'basic',
};

const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

type ChdbAsClientConnection = NonNullable<ClickHouseClientConfigOptions['connection']>;

export async function openClickHouse(options: OpenClickHouseOptions): Promise<ClickHouseHandle> {
  const database = checkIdentifier(options.database, 'database');
  const log = { LoggerClass: clientLoggerClass(options.logger), level: ClickHouseLogLevel.WARN };
  const engine: ClickHouseEngine = options.url ? 'server' : 'chdb';
  const settings: ClickHouseSettings = options.cluster ? { ...OUTPUT_SETTINGS, ...CLUSTER_QUERY_SETTINGS } : OUTPUT_SETTINGS;
  let client: ClickHouseClient;
  let chdbConnection: ChdbRawInsert | undefined;
  const serverClient = (url: string, defaultDatabase?: string): ClickHouseClient =>
    createClient({
      url,
      ...(defaultDatabase ? { database: defaultDatabase } : {}),
      username: options.username ?? 'default',
      password: options.password ?? '',
      request_timeout: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      clickhouse_settings: settings,
      log,
    });
  if (options.url) {
    client = serverClient(options.url);
  } else {
    await mkdir(options.dataPath, { recursive: true });
    // chdb types its connection against its own copy of the client's Connection interface; the
    // shapes are the same (that is the connection's whole purpose), the declarations are not.
    // Its calls are queued here, not on libuv's pool, which the logs' fsyncs need (engine-call-queue.ts).
    const native = queueEngineCalls(createChdbConnection({ path: options.dataPath }) as unknown as ClientConnection & ChdbRawInsert);
    chdbConnection = native;
    const connection: ChdbAsClientConnection = native;
    client = createClient({
      connection,
      clickhouse_settings: settings,
      log,
    });
  }
  try {
    await withStorageErrors('create database', () =>
      client.command({ query: `CREATE DATABASE IF NOT EXISTS ${database}` }),
    );
  } catch (err) {
    await client.close().catch(() => undefined);
    throw err;
  }
  // Make Warden's database the default one, so operators' and dashboards' SQL can name tables
  // without it: a new client bound to it (server), or USE, which sticks to chdb's one session.
  if (options.url) {
    await client.close();
    client = serverClient(options.url, database);
  } else {
    await withStorageErrors('use database', () => client.command({ query: `USE ${database}` }));
  }
  options.logger.info({ engine, database }, 'clickhouse opened');
  return createHandle(client, database, chdbConnection);
}

/** A handle over a client: chdb's native bulk insert when given its connection, the client's HTTP insert otherwise. */
const EMBEDDED_INSERT_SETTINGS: Record<string, string> = { input_format_parallel_parsing: '0' };

export function createHandle(client: ClickHouseClient, database: string, native?: ChdbRawInsert): ClickHouseHandle {
  const insertFormatted = native
    ? async (p: FormattedInsert): Promise<void> => {
        try {
          await native.chdb.rawInsert({ table: p.table, format: 'JSONCompactEachRow', columns: p.columns, values: p.body, settings: { ...EMBEDDED_INSERT_SETTINGS, ...p.settings } });
        } catch (err) {
          // The native call throws plain errors; give them the client's shape (code, type) so
          // they are mapped like every other ClickHouse error.
          throw err instanceof Error && /^Code: \d+/.test(err.message) ? parseError(err.message) : err;
        }
      }
    : async (p: FormattedInsert): Promise<void> => {
        // The body is already formatted bytes: sent as they are with exec. The client's insert
        // takes JSON formats only as rows to encode (an object-mode stream of Buffers would be
        // sent as {"type":"Buffer",…}, a byte stream is refused).
        const { stream } = await client.exec({
          query: `INSERT INTO ${p.table} (${p.columns.join(', ')}) FORMAT JSONCompactEachRow`,
          values: Readable.from([p.body], { objectMode: false }),
          clickhouse_settings: p.settings,
        });
        stream.resume();
        await finished(stream);
      };
  return { client, database, engine: native ? 'chdb' : 'server', insertFormatted, close: () => client.close() };
}

/**
 * Where `warden verify-log` reads the ClickHouse mirror from, with the configuration `warden
 * start` uses (the same environment):
 *
 * 1. `--url` given: that running Warden, through `POST /api/v1/query` (admin token).
 * 2. `CLICKHOUSE_URL` set: the ClickHouse server, directly.
 * 3. Otherwise the embedded engine in `<data dir>/clickhouse`, opened directly when Warden is
 *    stopped. A running Warden holds that directory (one process at a time), so while it does,
 *    or when it cannot be opened, the mirror is read through the running Warden's API
 *    (WARDEN_URL or the local port).
 *
 * Nothing is created: no embedded data directory means nothing to compare with. The mirror is
 * shared by every instance in distributed mode (`KAFKA_BROKERS` set) and this log's alone
 * otherwise. A source that cannot be opened becomes a skip with its code and reason.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { WardenConfig } from '../../config/config.js';
import { loadClientSettings } from '../../config/client-settings.js';
import { openClickHouse, type ClickHouseHandle } from '../../store/open-clickhouse.js';
import { WardenError } from '../../lib/errors.js';
import { isErrorCode, type ErrorCode } from '../../lib/error-codes.js';
import { silentLogger } from '../../lib/logger.js';
import { mirrorTable, readMirrorRows, selectThrough } from '../../store/revocation-mirror-rows.js';
import type { MirrorSkip, MirrorSource } from '../../respond/kill-switch/verify-log.js';
import { ApiRequestError, createApiClient } from '../api/client.js';
import type { ConnectionOptions } from './api-client.js';
import { resolveToken } from './query.js';

/** Where `warden start` keeps the embedded engine's data, under the data directory. */
export const EMBEDDED_STORAGE_DIR = 'clickhouse';

export interface OpenedMirror {
  mirror: MirrorSource | MirrorSkip;
  close(): Promise<void>;
}

const nothingToClose = async (): Promise<void> => {};

export async function openMirrorSource(config: WardenConfig, connection: ConnectionOptions): Promise<OpenedMirror> {
  const shared = config.mode === 'distributed';
  if (connection.url) return { mirror: apiSource(config, connection.url, connection.token, shared), close: nothingToClose };
  if (config.clickhouse.url) {
    const { url, database, username, password } = config.clickhouse;
    try {
      const handle = await openClickHouse({ url, dataPath: '', database, username, password, logger: silentLogger });
      return { mirror: handleSource(handle, `ClickHouse server ${url}`, shared), close: () => handle.close() };
    } catch (err) {
      return { mirror: skipFrom(err, `ClickHouse server ${url}`), close: nothingToClose };
    }
  }
  const dataPath = path.join(config.dataDir, EMBEDDED_STORAGE_DIR);
  if (!fs.existsSync(dataPath)) {
    return { mirror: { code: 'REVOCATION_MIRROR_MISSING', reason: `no embedded ClickHouse in ${dataPath} (has Warden run with this data directory?)`, requested: false }, close: nothingToClose };
  }
  const local = loadClientSettings().url;
  const holder = lockHolder(dataPath);
  if (holder !== undefined) {
    const inUse = `embedded ClickHouse in ${dataPath} is in use by process ${holder} (a running Warden?)`;
    return { mirror: apiSource(config, local, connection.token, shared, inUse), close: nothingToClose };
  }
  try {
    const handle = await openClickHouse({ dataPath, database: config.clickhouse.database, logger: silentLogger });
    return { mirror: handleSource(handle, `embedded ClickHouse in ${dataPath}`, shared), close: () => handle.close() };
  } catch (err) {
    const unopened = `embedded ClickHouse in ${dataPath} could not be opened (${firstLine(err)})`;
    return { mirror: apiSource(config, local, connection.token, shared, unopened), close: nothingToClose };
  }
}

/**
 * The process holding the embedded engine's directory: the engine writes its pid into a
 * `status` file it locks while open and removes when closed (a crash leaves it, with a dead pid).
 */
function lockHolder(dataPath: string): number | undefined {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dataPath, 'status'), 'utf8');
  } catch {
    return undefined;
  }
  const pid = Number(/^PID: (\d+)$/m.exec(text)?.[1]);
  if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM' ? pid : undefined;
  }
}

function handleSource(handle: ClickHouseHandle, name: string, shared: boolean): MirrorSource {
  return { name, shared, rows: () => readMirrorRows(selectThrough(handle), mirrorTable(handle.database)) };
}

/** The mirror of a running Warden, read through its query API; `context` prefixes failures. */
function apiSource(config: WardenConfig, url: string, token: string | undefined, shared: boolean, context?: string): MirrorSource {
  const name = `Warden at ${url}`;
  const fail = (code: ErrorCode, message: string, cause: unknown): never => {
    throw new WardenError(code, context ? `${context}, and ${name} did not answer: ${message}` : message, { cause });
  };
  return {
    name,
    shared,
    rows: async () => {
      let client;
      try {
        client = createApiClient(url, resolveToken(token, config.tokensFile));
      } catch (err) {
        return fail('REVOCATION_MIRROR_UNAVAILABLE', firstLine(err), err);
      }
      // The API answers in Warden's database: the table is named without it.
      return readMirrorRows(async (sql) => {
        try {
          return (await client.post<{ rows: unknown[] }>('/api/v1/query', { sql })).rows;
        } catch (err) {
          if (err instanceof ApiRequestError) return fail(isErrorCode(err.code) ? err.code : 'REVOCATION_MIRROR_UNAVAILABLE', `${err.code}: ${err.message}`, err);
          throw err;
        }
      }, 'revocations');
    },
  };
}

function skipFrom(err: unknown, where: string): MirrorSkip {
  return { code: err instanceof WardenError ? err.code : 'REVOCATION_MIRROR_UNAVAILABLE', reason: `${where}: ${firstLine(err)}`, requested: false };
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 300);
}

/**
 * The embedded engine for a test file: a chdb-backed ClickHouseHandle over a fresh temporary data
 * directory, removed by `cleanup()`. chdb binds one data directory per process and node:test runs
 * each test file in its own process, so open this once per file (in `before`) and separate tests
 * by database or tenant, not by opening a second handle.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openClickHouse, type ClickHouseHandle } from '../../store/open-clickhouse.js';
import { silentLogger, type Logger } from '../../lib/logger.js';

export interface TempChdb {
  handle: ClickHouseHandle;
  dataPath: string;
  cleanup(): Promise<void>;
}

export async function openTempChdb(database = 'warden_test', logger: Logger = silentLogger): Promise<TempChdb> {
  const dataPath = await mkdtemp(join(tmpdir(), 'warden-chdb-'));
  try {
    const handle = await openClickHouse({ dataPath, database, logger });
    return {
      handle,
      dataPath,
      cleanup: async () => {
        await handle.close();
        await rm(dataPath, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await rm(dataPath, { recursive: true, force: true });
    throw err;
  }
}

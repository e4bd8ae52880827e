/**
 * The same storage suite as chdb.test.ts, against a real ClickHouse server over HTTP, in a
 * container. Without a container engine the suite is skipped, with a banner on stderr saying so:
 * a green run must never hide that the server path was not exercised.
 */
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '../lib/logger.js';
import { startClickHouseContainer, type ClickHouseContainer } from '../test/infra/clickhouse-container.js';
import { clickhouseStoreSuite } from '../test/infra/clickhouse-store-suite.js';
import { probeContainerRuntime, skipBanner } from '../test/infra/containers.js';
import { migrate } from './migrations.js';
import { openClickHouse, type ClickHouseHandle } from './open-clickhouse.js';

const SUITE = 'ClickHouse server suite';
const runtime = await probeContainerRuntime();

if (!runtime.available) {
  it(SUITE, (t) => {
    console.error(skipBanner(SUITE, runtime.reason));
    t.skip(`no container runtime: ${runtime.reason}`);
  });
} else {
  describe(`audit store (ClickHouse server, ${runtime.reason})`, { timeout: 600_000 }, () => {
    let container: ClickHouseContainer | undefined;
    let handle: ClickHouseHandle | undefined;
    before(async () => {
      container = await startClickHouseContainer();
      handle = await openClickHouse({
        url: container.url,
        username: container.username,
        password: container.password,
        dataPath: '',
        database: 'warden_server_test',
        logger: silentLogger,
      });
      await migrate(handle, { ttlDays: 3650 });
      await migrate(handle, { ttlDays: 3650 });
    });
    after(async () => {
      await handle?.close();
      await container?.stop();
    });
    clickhouseStoreSuite(
      () => {
        if (!handle) throw new Error('ClickHouse server handle not opened');
        return handle;
      },
      { label: 'clickhouse-server', bulkEvents: 100_000 },
    );
  });
}

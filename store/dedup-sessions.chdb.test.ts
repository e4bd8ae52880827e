/**
 * Insert de-duplication is per event, not per event id, against embedded ClickHouse: a span's
 * id comes from its trace and span ids, and two sessions or tenants whose instrumentation reuses
 * them have events with equal ids. A batch of such events must be stored, not taken for a repeat
 * of the other session's batch (the engine drops a block whose token it has seen). A real repeat
 * — the same events again — is still dropped.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { silentLogger } from '../lib/logger.js';
import { Metrics } from '../lib/metrics.js';
import { makeEvent } from '../test/infra/clickhouse-events.js';
import { openTempChdb, type TempChdb } from '../test/infra/clickhouse-chdb.js';
import { ClickHouseAuditStore } from './audit-store.js';
import { migrate } from './migrations.js';

let chdb: TempChdb;
before(async () => {
  chdb = await openTempChdb('warden_dedup_sessions');
  await migrate(chdb.handle, { ttlDays: 3650 });
});
after(async () => {
  await chdb?.cleanup();
});

async function rowsBySession(): Promise<Record<string, number>> {
  const r = await chdb.handle.client.query({
    query: `SELECT concat(tenant, '/', session_id) AS k, count() AS n FROM ${chdb.handle.database}.audit_events GROUP BY k ORDER BY k`,
    format: 'JSONEachRow',
  });
  return Object.fromEntries((await r.json<{ k: string; n: string }>()).map((x) => [x.k, Number(x.n)]));
}

it('events with the same ids in another session or tenant are stored; the same events again are not', async () => {
  const store = new ClickHouseAuditStore(chdb.handle, { logger: silentLogger, metrics: new Metrics() });
  const batch = (tenant: string, session: string) => ['e1', 'e2', 'e3'].map((id) => makeEvent({ event_id: id, tenant, session_id: session }));
  await store.insertEvents(batch('tenant-a', 'session-0'));
  await store.insertEvents(batch('tenant-a', 'session-1'));
  await store.insertEvents(batch('tenant-b', 'session-0'));
  await store.insertEvents(batch('tenant-a', 'session-0')); // a redelivery: dropped by the engine
  assert.deepEqual(await rowsBySession(), { 'tenant-a/session-0': 3, 'tenant-a/session-1': 3, 'tenant-b/session-0': 3 });
});

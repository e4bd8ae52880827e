/**
 * A small Warden for hook tests, listening on loopback: the real ingest path (OTLP receiver →
 * in-process queue → normalize → ClickHouse, embedded) plus the operator API with the real
 * session registry and kill switch. It stands in for `startWarden` until main.ts wires the
 * operator routes; the hook under test only sees HTTP, so it cannot tell the difference.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../api/app.js';
import { registerOperatorRoutes } from '../../../api/routes/operator.js';
import { TokenRegistry } from '../../../config/tokens.js';
import { createBatchProcessor } from '../../../ingest/batch-processor.js';
import { createClassifier } from '../../../ingest/classify/index.js';
import { createRedactor } from '../../../ingest/redact/index.js';
import { createNormalizer } from '../../../ingest/normalize/index.js';
import { ClickHouseAuditStore, migrate, type ClickHouseHandle } from '../../../ingest/clickhouse-sink/index.js';
import { createMemoryTransport, MemoryDeadLetterSink } from '../../../ingest/transport/memory.js';
import { SessionRegistry } from '../../../detectors/session/session-registry.js';
import { openKillSwitch } from '../../../detectors/kill-switch/index.js';
import { Metrics } from '../../../lib/metrics.js';
import { silentLogger } from '../../../lib/logger.js';
import { systemClock } from '../../../lib/clock.js';
import { openTempChdb } from '../../../test/infra/clickhouse-chdb.js';

export const HOOK_TOKEN = 'wdn_test_hook_ingest_00000000';
export const OPERATOR_TOKEN = 'wdn_test_hook_operator_000000';

export interface HookWarden {
  url: string;
  /** Where the kill switch keeps its revocation log. */
  dataDir: string;
  app: FastifyInstance;
  storage: ClickHouseHandle;
  close(): Promise<void>;
}

export async function startHookWarden(): Promise<HookWarden> {
  const logger = silentLogger;
  const metrics = new Metrics();
  const clock = systemClock;
  const chdb = await openTempChdb('warden_hook_test');
  const storage = chdb.handle;
  await migrate(storage);
  const dataDir = await mkdtemp(join(tmpdir(), 'warden-hook-'));
  const sessions = new SessionRegistry({ clock });
  const killSwitch = await openKillSwitch({
    dataDir, endpoints: [], clock, logger, metrics,
    onStateChange: (r) => (r.action === 'revoke'
      ? sessions.markRevoked(r.tenant, r.session_id, { at: r.at, by: r.by, reason: r.reason, finding_id: r.finding_id })
      : sessions.markReinstated(r.tenant, r.session_id)),
  });
  const transport = createMemoryTransport({ capacity: 1000, logger, metrics });
  const normalizer = createNormalizer({ classifier: createClassifier(), redactor: createRedactor(), metrics, clock });
  const observe = { consume: async (events: Parameters<typeof sessions.observe>[0][]) => void events.forEach((e) => sessions.observe(e)) };
  const store = new ClickHouseAuditStore(storage, { logger, metrics });
  await transport.consumer.start(createBatchProcessor({ normalizer, store, deadLetter: new MemoryDeadLetterSink({ logger, metrics }), observers: [observe], logger, metrics }));
  const app = buildApp({
    producer: transport.producer,
    tokens: new TokenRegistry([
      { name: 'hook', token: HOOK_TOKEN, tenant: 'acme', roles: ['ingest'] },
      { name: 'alice', token: OPERATOR_TOKEN, tenant: 'acme', roles: ['read', 'operate'] },
    ]),
    metrics,
    logger,
    bodyLimitBytes: 1024 * 1024,
    ingestRequiresToken: true,
    readiness: {},
    routes: [(a) => registerOperatorRoutes(a, { storage, sessions, revocations: killSwitch.service, clock })],
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    dataDir,
    app,
    storage,
    close: async () => {
      await app.close();
      await transport.consumer.stop();
      await transport.producer.close();
      await killSwitch.close();
      await rm(dataDir, { recursive: true, force: true });
      await chdb.cleanup();
    },
  };
}

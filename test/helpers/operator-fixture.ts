/**
 * A test fixture for the operator API: the embedded ClickHouse (one per test file, migrated),
 * an app built with buildApp and the operator routes, tokens for two tenants and an admin, the
 * real session registry and kill switch (revocation log in a temporary directory, no webhook
 * endpoints) wired to each other as main.ts wires them, and helpers that write events (through
 * the real ClickHouseAuditStore), findings and stored session rows.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../serve/api/app.js';
import { TokenRegistry, type Role } from '../../config/tokens.js';
import { ClickHouseAuditStore, migrate, type ClickHouseHandle } from '../../store/index.js';
import type { AuditEvent } from '../../model/audit-event.js';
import { nsToDateTime64 } from '../../store/event-row.js';
import { createMemoryTransport } from '../../receive/transport/memory.js';
import type { Finding } from '../../model/finding.js';
import { Metrics } from '../../lib/metrics.js';
import { silentLogger } from '../../lib/logger.js';
import { FakeClock } from '../../lib/clock.js';
import { openTempChdb, type TempChdb } from '../infra/clickhouse-chdb.js';
import { registerOperatorRoutes } from '../../serve/api/routes/operator.js';
import { registerTenantScope } from '../../serve/api/routes/tenant-scope.js';
import type { BlockedBy } from '../../serve/api/routes/verdict.js';
import { SessionRegistry } from '../../detect/session/session-registry.js';
import { openKillSwitch, type KillSwitchService } from '../../respond/kill-switch/index.js';

export const TOKENS = {
  acmeOperator: 'wdn_test_acme_operator_000000',
  acmeReader: 'wdn_test_acme_reader_0000000',
  acmeIngest: 'wdn_test_acme_ingest_0000000',
  globexReader: 'wdn_test_globex_reader_00000',
  admin: 'wdn_test_admin_000000000000000',
  acmeAuditor: 'wdn_test_acme_auditor_000000',
} as const;

const ENTRIES: Array<{ name: string; token: string; tenant: string; roles: Role[] }> = [
  { name: 'alice', token: TOKENS.acmeOperator, tenant: 'acme', roles: ['read', 'operate'] },
  { name: 'reader', token: TOKENS.acmeReader, tenant: 'acme', roles: ['read'] },
  { name: 'hook', token: TOKENS.acmeIngest, tenant: 'acme', roles: ['ingest'] },
  { name: 'globex', token: TOKENS.globexReader, tenant: 'globex', roles: ['read'] },
  { name: 'root', token: TOKENS.admin, tenant: 'default', roles: ['admin'] },
  { name: 'auditor', token: TOKENS.acmeAuditor, tenant: 'acme', roles: ['read', 'cross_tenant'] },
];

export interface OperatorFixture {
  handle: ClickHouseHandle;
  sessions: SessionRegistry;
  revocations: KillSwitchService;
  clock: FakeClock;
  metrics: Metrics;
  /** Builds a fresh app (each test may want its own policy callback). */
  app(options?: { blockedBy?: BlockedBy }): FastifyInstance;
  insertEvents(events: AuditEvent[]): Promise<void>;
  insertFindings(findings: Finding[]): Promise<void>;
  insertSessionRow(row: Record<string, unknown>): Promise<void>;
  close(): Promise<void>;
}

export async function openOperatorFixture(): Promise<OperatorFixture> {
  const chdb: TempChdb = await openTempChdb('warden_operator_test');
  const handle = chdb.handle;
  await migrate(handle);
  const metrics = new Metrics();
  const store = new ClickHouseAuditStore(handle, { logger: silentLogger, metrics });
  const clock = new FakeClock(Date.now());
  const sessions = new SessionRegistry({ clock });
  const dataDir = await mkdtemp(join(tmpdir(), 'warden-operator-'));
  const killSwitch = await openKillSwitch({
    dataDir,
    endpoints: [],
    clock,
    logger: silentLogger,
    metrics,
    onStateChange: (record) => {
      if (record.action === 'revoke') {
        sessions.markRevoked(record.tenant, record.session_id, { at: record.at, by: record.by, reason: record.reason, finding_id: record.finding_id });
      } else sessions.markReinstated(record.tenant, record.session_id);
    },
  });
  const revocations = killSwitch.service;
  const apps: FastifyInstance[] = [];
  const tokens = new TokenRegistry(ENTRIES);

  const insertJson = async (tableName: string, rows: Array<Record<string, unknown>>): Promise<void> => {
    if (rows.length === 0) return;
    const columns = Object.keys(rows[0]!);
    const body = Buffer.from(rows.map((row) => JSON.stringify(columns.map((c) => row[c]))).join('\n'));
    await handle.insertFormatted({ table: `${handle.database}.${tableName}`, columns, body, settings: {} });
  };

  return {
    handle,
    sessions,
    revocations,
    clock,
    metrics,
    app(options = {}) {
      const transport = createMemoryTransport({ capacity: 10, logger: silentLogger, metrics });
      const app = buildApp({
        producer: transport.producer,
        tokens,
        metrics,
        logger: silentLogger,
        bodyLimitBytes: 1024 * 1024,
        ingestRequiresToken: false,
        readiness: {},
        routes: [
          (a) => registerTenantScope(a, { logger: silentLogger, metrics }),
          (a) => registerOperatorRoutes(a, { storage: handle, sessions, revocations, clock, ...(options.blockedBy ? { blockedBy: options.blockedBy } : {}) }),
        ],
      });
      apps.push(app);
      return app;
    },
    insertEvents: (events) => store.insertEvents(events),
    insertFindings: (findings) =>
      insertJson('findings', findings.map((f) => ({ ...f, at: nsToDateTime64((BigInt(Date.parse(f.at)) * 1_000_000n).toString()) }))),
    insertSessionRow: (row) => insertJson('sessions', [row]),
    close: async () => {
      for (const app of apps) await app.close();
      await killSwitch.close();
      await rm(dataDir, { recursive: true, force: true });
      await chdb.cleanup();
    },
  };
}

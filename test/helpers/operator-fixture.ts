/**
 * A test fixture for the operator API: a real Warden built by the one assembly (startTestWarden:
 * embedded ClickHouse in a temporary directory, migrated; the session registry and kill switch
 * wired as `warden start` wires them; the in-process queue; no gRPC; a FakeClock), tokens for two
 * tenants and an admin, and helpers that write events (through the real ClickHouseAuditStore),
 * findings and stored session rows into its storage.
 *
 * The one exception: a verdict policy callback (`app({ blockedBy })`) is not something the
 * assembly takes, so that app is the verdict route alone on a bare fastify (with the auth and
 * tenant-scope plugins and the API's conventions) over the same registry and kill switch.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { TokenRegistry, type TokenEntry } from '../../config/tokens.js';
import { ClickHouseAuditStore, type ClickHouseHandle } from '../../store/index.js';
import type { AuditEvent } from '../../model/audit-event.js';
import { nsToDateTime64 } from '../../store/event-row.js';
import type { Finding } from '../../model/finding.js';
import type { Metrics } from '../../lib/metrics.js';
import { silentLogger } from '../../lib/logger.js';
import { FakeClock } from '../../lib/clock.js';
import type { BlockedBy } from '../../serve/api/routes/verdict.js';
import { registerVerdictRoute } from '../../serve/api/routes/verdict.js';
import { authPlugin } from '../../serve/api/plugins/auth.js';
import { tenantScopePlugin } from '../../serve/api/plugins/tenant-scope.js';
import { errorAnswerer, notFound, useApiConventions } from '../../serve/api/plugins/api-conventions.js';
import type { SessionRegistry } from '../../detect/session/session-registry.js';
import type { KillSwitchService } from '../../respond/kill-switch/index.js';
import { startTestWarden } from './test-warden.js';

export const TOKENS = {
  acmeOperator: 'wdn_test_acme_operator_000000',
  acmeReader: 'wdn_test_acme_reader_0000000',
  acmeIngest: 'wdn_test_acme_ingest_0000000',
  globexReader: 'wdn_test_globex_reader_00000',
  admin: 'wdn_test_admin_000000000000000',
  acmeAuditor: 'wdn_test_acme_auditor_000000',
} as const;

const ENTRIES: TokenEntry[] = [
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
  /** The assembled Warden's app; with a verdict policy callback, the verdict route alone (see above). */
  app(options?: { blockedBy?: BlockedBy }): FastifyInstance;
  insertEvents(events: AuditEvent[]): Promise<void>;
  insertFindings(findings: Finding[]): Promise<void>;
  insertSessionRow(row: Record<string, unknown>): Promise<void>;
  close(): Promise<void>;
}

export async function openOperatorFixture(): Promise<OperatorFixture> {
  const clock = new FakeClock(Date.now());
  const warden = await startTestWarden({ WARDEN_GRPC: 'false', WARDEN_NORMALIZE_WORKER: 'false' }, { tokens: ENTRIES, clock });
  const handle = warden.storage;
  const { metrics } = warden;
  const store = new ClickHouseAuditStore(handle, { logger: silentLogger, metrics });
  const sessions = warden.detection.registry;
  const revocations = warden.detection.killSwitch.service;
  const policyApps: FastifyInstance[] = [];

  const insertJson = async (tableName: string, rows: Array<Record<string, unknown>>): Promise<void> => {
    if (rows.length === 0) return;
    const columns = Object.keys(rows[0]!);
    const body = Buffer.from(rows.map((row) => JSON.stringify(columns.map((c) => row[c]))).join('\n'));
    await handle.insertFormatted({ table: `${handle.database}.${tableName}`, columns, body, settings: {} });
  };

  /** The verdict route alone, with a policy callback the assembly does not take. */
  const verdictWithPolicy = (blockedBy: BlockedBy): FastifyInstance => {
    const app = Fastify({ logger: false });
    useApiConventions(app, errorAnswerer({ logger: silentLogger, metrics }));
    app.setNotFoundHandler(notFound);
    app.register(authPlugin, { tokens: new TokenRegistry(ENTRIES), ingestRequiresToken: warden.config.http.ingestRequiresToken });
    app.register(tenantScopePlugin, { logger: silentLogger, metrics });
    app.register(async (api) => registerVerdictRoute(api, { revocations, sessions, blockedBy }));
    policyApps.push(app);
    return app;
  };

  return {
    handle,
    sessions,
    revocations,
    clock,
    metrics,
    app: (options = {}) => (options.blockedBy ? verdictWithPolicy(options.blockedBy) : warden.app),
    insertEvents: (events) => store.insertEvents(events),
    insertFindings: (findings) =>
      insertJson('findings', findings.map((f) => ({ ...f, at: nsToDateTime64((BigInt(Date.parse(f.at)) * 1_000_000n).toString()) }))),
    insertSessionRow: (row) => insertJson('sessions', [row]),
    close: async () => {
      for (const app of policyApps) await app.close();
      await warden.cleanup();
    },
  };
}

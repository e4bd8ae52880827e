/**
 * `POST /api/v1/query` `{sql}` (admin): one read-only SELECT over Warden's tables, seeing the
 * token's tenant only, bounded in time, memory and rows; answers `{rows, truncated}`. This is
 * how an operator reads the audit trail of an embedded Warden, whose engine lives in its process.
 * `?tenant=` reads another tenant with the `cross_tenant` role (logged and counted, see
 * tenant-scope.ts). What may run and how it is bounded: serve/api/queries/query-window.ts.
 */
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { ClickHouseHandle } from '../../../store/index.js';
import type { Logger } from '../../../lib/logger.js';
import type { Metrics } from '../../../lib/metrics.js';
import { ApiError } from '../../../lib/errors.js';
import { openQueryConnection } from '../queries/query-connection.js';
import { QueryWindow, type QueryLimits } from '../queries/query-window.js';
import { TenantParam, tenantOf } from './tenant-scope.js';

export interface QueryRouteOptions {
  storage: ClickHouseHandle;
  /** The embedded engine's data directory (its operator queries get a connection of their own). */
  dataPath?: string;
  limits: QueryLimits;
  logger: Logger;
  metrics: Metrics;
}

const QueryString = Type.Object({ tenant: TenantParam });

export function registerQueryRoute(app: FastifyInstance, options: QueryRouteOptions): void {
  const connection = openQueryConnection(options.storage, options.dataPath);
  const window = new QueryWindow({ connection, limits: options.limits, logger: options.logger, metrics: options.metrics });
  app.addHook('onClose', () => connection.close());
  app.post<{ Querystring: Static<typeof QueryString> }>('/api/v1/query', { config: { role: 'admin' }, schema: { querystring: QueryString } }, async (request, reply) => {
    const raw = (request.body as { sql?: unknown } | null)?.sql;
    if (typeof raw !== 'string' || raw.trim() === '') {
      options.metrics.errors.inc({ stage: 'query', code: 'INVALID_REQUEST' });
      throw new ApiError('INVALID_REQUEST', 'body must be {"sql": "<one SELECT statement>"}');
    }
    const tenant = tenantOf(request, request.query.tenant);
    const gone = new AbortController();
    reply.raw.on('close', () => {
      if (!reply.raw.writableFinished) gone.abort();
    });
    return window.run({ sql: raw, tenant, signal: gone.signal });
  });
}

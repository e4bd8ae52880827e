/**
 * Which tenant a request may see. Every token — an admin token too — sees its own tenant. A token
 * with the `cross_tenant` role may name another one with the `tenant` query parameter; each such
 * request is logged (token name, its tenant, the tenant read, method and route) and counted
 * (`warden_cross_tenant_reads_total{route}`) through the audit registered with
 * `registerTenantScope`; without it, naming another tenant is refused. Any other token naming a
 * tenant other than its own is refused (403) rather than silently answered for its own tenant.
 * Unauthenticated ingest (allowed on a loopback-bound server) belongs to the default tenant, as
 * ingested data does.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { DEFAULT_TENANT } from '../../../normalize/index.js';
import type { Logger } from '../../../lib/logger.js';
import type { Metrics } from '../../../lib/metrics.js';
import { ApiError } from '../../../lib/errors.js';

/** Query-string property every tenant-scoped route accepts. */
export const TenantParam = Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'tokens with the cross_tenant role only: read another tenant' }));

export interface CrossTenantAudit {
  record(request: FastifyRequest, tenant: string): void;
}

declare module 'fastify' {
  interface FastifyInstance {
    crossTenantAudit?: CrossTenantAudit;
  }
}

/** Enables `?tenant=` for cross_tenant tokens: every such read is logged and counted. */
export function registerTenantScope(app: FastifyInstance, { logger, metrics }: { logger: Logger; metrics: Metrics }): void {
  app.decorate('crossTenantAudit', {
    record(request: FastifyRequest, tenant: string): void {
      const principal = request.principal;
      const route = request.routeOptions.url ?? request.url;
      metrics.crossTenantReads.inc({ route });
      logger.info({ token: principal?.name, token_tenant: principal?.tenant, tenant, method: request.method, route }, 'cross-tenant read');
    },
  } satisfies CrossTenantAudit);
}

export function tenantOf(request: FastifyRequest, requested?: string): string {
  const principal = request.principal;
  if (principal === null) return DEFAULT_TENANT;
  if (requested === undefined || requested === principal.tenant) return principal.tenant;
  if (!principal.roles.has('cross_tenant')) {
    throw new ApiError('FORBIDDEN', `this token sees tenant "${principal.tenant}" only; reading another tenant needs the cross_tenant role`);
  }
  const audit = request.server.crossTenantAudit;
  if (audit === undefined) throw new ApiError('FORBIDDEN', 'cross-tenant reads are not enabled on this server');
  audit.record(request, requested);
  return requested;
}

/**
 * The tenant scope as a plugin (`warden-tenant-scope`): decorates the app with the audit of
 * cross-tenant reads (routes/tenant-scope.ts), so it reaches the whole app; the areas whose
 * routes read `?tenant=` declare it as a dependency.
 */
import fp from 'fastify-plugin';
import type { Logger } from '../../../lib/logger.js';
import type { Metrics } from '../../../lib/metrics.js';
import { registerTenantScope } from '../routes/tenant-scope.js';

export interface TenantScopeOptions {
  logger: Logger;
  metrics: Metrics;
}

export const tenantScopePlugin = fp<TenantScopeOptions>(async (app, options) => registerTenantScope(app, options), { name: 'warden-tenant-scope', fastify: '5.x' });

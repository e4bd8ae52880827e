/**
 * Which tenant a request may see. A token sees its own tenant only; an admin token may name
 * another one with the `tenant` query parameter. A non-admin token naming a tenant other than
 * its own is refused (403) rather than silently answered for its own tenant. Unauthenticated
 * ingest (allowed on a loopback-bound server) belongs to the default tenant, as ingested data does.
 */
import type { FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { DEFAULT_TENANT } from '../../ingest/normalize/index.js';
import { ApiError } from '../errors.js';

/** Query-string property every tenant-scoped route accepts. */
export const TenantParam = Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'admin tokens only: read another tenant' }));

export function tenantOf(request: FastifyRequest, requested?: string): string {
  const principal = request.principal;
  if (principal === null) return DEFAULT_TENANT;
  if (requested === undefined || requested === principal.tenant) return principal.tenant;
  if (principal.roles.has('admin')) return requested;
  throw new ApiError(403, 'FORBIDDEN', `this token sees tenant "${principal.tenant}" only`);
}

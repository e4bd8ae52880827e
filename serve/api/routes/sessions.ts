/**
 * `GET /api/v1/sessions?state=&agent=&since=&limit=` and `GET /api/v1/sessions/:id` (role
 * read): sessions of the caller's tenant with state, declarations, revocation and counts,
 * newest activity first. See queries/session-reader.ts for where each field comes from.
 */
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Clock } from '../../../lib/clock.js';
import { ApiError } from '../../../lib/errors.js';
import type { SessionReader } from '../queries/session-reader.js';
import { DEFAULT_LIST_LIMIT, Limit, SessionParams, SessionStatusSchema, SessionViewSchema, Since } from '../queries/schemas.js';
import { parseSince } from '../queries/time.js';
import { TenantParam, tenantOf } from './tenant-scope.js';

export interface SessionRouteOptions {
  reader: SessionReader;
  clock: Clock;
}

const ListQuery = Type.Object({
  state: Type.Optional(SessionStatusSchema),
  agent: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
  since: Since,
  limit: Limit,
  tenant: TenantParam,
});
const OneQuery = Type.Object({ tenant: TenantParam });

export function registerSessionRoutes(app: FastifyInstance, options: SessionRouteOptions): void {
  const { reader, clock } = options;

  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/api/v1/sessions',
    { config: { role: 'read' }, schema: { querystring: ListQuery, response: { 200: Type.Object({ sessions: Type.Array(SessionViewSchema) }) } } },
    async (request) => {
      const q = request.query;
      const sessions = await reader.list({
        tenant: tenantOf(request, q.tenant),
        limit: q.limit ?? DEFAULT_LIST_LIMIT,
        ...(q.state ? { state: q.state } : {}),
        ...(q.agent ? { agent: q.agent } : {}),
        ...(q.since ? { sinceMs: parseSince(q.since, clock.now()) } : {}),
      });
      return { sessions };
    },
  );

  app.get<{ Params: Static<typeof SessionParams>; Querystring: Static<typeof OneQuery> }>(
    '/api/v1/sessions/:id',
    { config: { role: 'read' }, schema: { params: SessionParams, querystring: OneQuery, response: { 200: SessionViewSchema } } },
    async (request) => {
      const session = await reader.get(tenantOf(request, request.query.tenant), request.params.id);
      if (session === null) throw new ApiError('NOT_FOUND', `no session ${JSON.stringify(request.params.id)}`);
      return session;
    },
  );
}

/**
 * What a session did, read from the audit trail (role read):
 * `GET /api/v1/sessions/:id/timeline?limit=` — events in time order, each intent paired with its
 * execution (queries/timeline.ts); `GET /api/v1/sessions/:id/blast-radius` — every target it
 * touched, grouped by kind, destructive ones marked (queries/blast-radius.ts).
 * Both answer 404 NOT_FOUND for a session Warden has never heard of, and an empty result for a
 * known session whose events have expired.
 */
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { ClickHouseHandle } from '../../../store/index.js';
import { ApiError } from '../../../lib/errors.js';
import type { SessionReader } from '../queries/session-reader.js';
import { SessionParams } from '../queries/schemas.js';
import { DEFAULT_TIMELINE_LIMIT, MAX_TIMELINE_LIMIT, pairTimeline, sessionEvents } from '../queries/timeline.js';
import { blastRadius } from '../queries/blast-radius.js';
import { TenantParam, tenantOf } from './tenant-scope.js';

export interface SessionTrailRouteOptions {
  storage: ClickHouseHandle;
  reader: SessionReader;
}

const TimelineQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_TIMELINE_LIMIT, default: DEFAULT_TIMELINE_LIMIT })),
  tenant: TenantParam,
});
const TrailQuery = Type.Object({ tenant: TenantParam });

export function registerSessionTrailRoutes(app: FastifyInstance, options: SessionTrailRouteOptions): void {
  const { storage, reader } = options;

  async function assertKnown(tenant: string, sessionId: string): Promise<void> {
    if ((await reader.get(tenant, sessionId)) === null) throw new ApiError('NOT_FOUND', `no session ${JSON.stringify(sessionId)}`);
  }

  app.get<{ Params: Static<typeof SessionParams>; Querystring: Static<typeof TimelineQuery> }>(
    '/api/v1/sessions/:id/timeline',
    { config: { role: 'read' }, schema: { params: SessionParams, querystring: TimelineQuery } },
    async (request) => {
      const tenant = tenantOf(request, request.query.tenant);
      const limit = request.query.limit ?? DEFAULT_TIMELINE_LIMIT;
      const events = await sessionEvents(storage, tenant, request.params.id, limit);
      if (events.length === 0) await assertKnown(tenant, request.params.id);
      return { session_id: request.params.id, events: events.length, truncated: events.length === limit, items: pairTimeline(events) };
    },
  );

  app.get<{ Params: Static<typeof SessionParams>; Querystring: Static<typeof TrailQuery> }>(
    '/api/v1/sessions/:id/blast-radius',
    { config: { role: 'read' }, schema: { params: SessionParams, querystring: TrailQuery } },
    async (request) => {
      const tenant = tenantOf(request, request.query.tenant);
      const radius = await blastRadius(storage, tenant, request.params.id);
      if (radius.targets === 0) await assertKnown(tenant, request.params.id);
      return radius;
    },
  );
}

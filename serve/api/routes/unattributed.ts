/**
 * `GET /api/v1/ingest/unattributed?since=&tenant=` (role read): how many of the caller's
 * tenant's events since `since` (default 24h) were stored without a session, per source, with
 * the attribute that would have carried it and what to set. `/metrics` counts the same events
 * as `warden_events_without_session_total` from the moment they are normalized.
 */
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { ClickHouseHandle } from '../../../store/index.js';
import type { Clock } from '../../../lib/clock.js';
import { loadMappingTables } from '../../../normalize/index.js';
import { sessionAttributesBySource } from '../../../normalize/unattributed.js';
import { eventsWithoutSession } from '../queries/unattributed.js';
import { Since } from '../queries/schemas.js';
import { parseSince } from '../queries/time.js';
import { TenantParam, tenantOf } from './tenant-scope.js';

export const DEFAULT_UNATTRIBUTED_SINCE = '24h';

export interface UnattributedRouteOptions {
  storage: ClickHouseHandle;
  clock: Clock;
  /** Directory of the mapping tables the normalizer uses (default: the built-in ones). */
  mappingsDir?: string;
}

const UnattributedQuery = Type.Object({ since: Since, tenant: TenantParam });

const GroupSchema = Type.Object({
  source: Type.String(),
  expected_attribute: Type.String(),
  session_attributes: Type.Array(Type.String()),
  events: Type.Integer(),
  first_seen: Type.String(),
  last_seen: Type.String(),
  hint: Type.String(),
});
const AnswerSchema = Type.Object({ tenant: Type.String(), since: Type.String(), events: Type.Integer(), sources: Type.Array(GroupSchema) });

export function registerUnattributedRoute(app: FastifyInstance, options: UnattributedRouteOptions): void {
  const sessions = sessionAttributesBySource(loadMappingTables(options.mappingsDir));
  app.get<{ Querystring: Static<typeof UnattributedQuery> }>(
    '/api/v1/ingest/unattributed',
    { config: { role: 'read' }, schema: { querystring: UnattributedQuery, response: { 200: AnswerSchema } } },
    async (request) => {
      const q = request.query;
      return eventsWithoutSession(options.storage, sessions, {
        tenant: tenantOf(request, q.tenant),
        sinceMs: parseSince(q.since ?? DEFAULT_UNATTRIBUTED_SINCE, options.clock.now()),
      });
    },
  );
}

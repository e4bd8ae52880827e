/**
 * `GET /api/v1/targets?match=<glob>&since=&limit=` (role read): the post-incident question
 * "which sessions touched this?" — sessions of the caller's tenant whose events named a target
 * matching the glob (say `/srv/app/` followed by a star, or `git://origin/refs/heads/main`),
 * with the matching targets, newest activity first. See queries/targets.ts for the glob.
 */
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { ClickHouseHandle } from '../../../store/index.js';
import type { Clock } from '../../../lib/clock.js';
import { sessionsTouching } from '../queries/targets.js';
import { DEFAULT_LIST_LIMIT, Limit, Since } from '../queries/schemas.js';
import { parseSince } from '../queries/time.js';
import { TenantParam, tenantOf } from './tenant-scope.js';

export interface TargetRouteOptions {
  storage: ClickHouseHandle;
  clock: Clock;
}

const TargetQuery = Type.Object({
  match: Type.String({ minLength: 1, maxLength: 2048, pattern: '[^*?]' }),
  since: Since,
  limit: Limit,
  tenant: TenantParam,
});

export function registerTargetRoutes(app: FastifyInstance, options: TargetRouteOptions): void {
  app.get<{ Querystring: Static<typeof TargetQuery> }>(
    '/api/v1/targets',
    { config: { role: 'read' }, schema: { querystring: TargetQuery } },
    async (request) => {
      const q = request.query;
      const sessions = await sessionsTouching(options.storage, {
        tenant: tenantOf(request, q.tenant),
        match: q.match,
        limit: q.limit ?? DEFAULT_LIST_LIMIT,
        ...(q.since ? { sinceMs: parseSince(q.since, options.clock.now()) } : {}),
      });
      return { match: q.match, sessions };
    },
  );
}

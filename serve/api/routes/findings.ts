/**
 * `GET /api/v1/findings?session=&detector=&severity=&since=&limit=` (role read): findings of the
 * caller's tenant, newest first. `severity` is a floor (`high` → high and critical). Each says
 * which rule, its target, why it matters and what would have been fine instead.
 */
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { ClickHouseHandle } from '../../../store/index.js';
import type { Clock } from '../../../lib/clock.js';
import { listFindings } from '../queries/findings.js';
import { DEFAULT_LIST_LIMIT, Limit, Since } from '../queries/schemas.js';
import { parseSince } from '../queries/time.js';
import { TenantParam, tenantOf } from './tenant-scope.js';

export interface FindingRouteOptions {
  storage: ClickHouseHandle;
  clock: Clock;
}

const FindingQuery = Type.Object({
  session: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
  detector: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  severity: Type.Optional(Type.Union([Type.Literal('low'), Type.Literal('medium'), Type.Literal('high'), Type.Literal('critical')])),
  since: Since,
  limit: Limit,
  tenant: TenantParam,
});

const FindingSchema = Type.Object({
  id: Type.String(),
  tenant: Type.String(),
  session_id: Type.String(),
  agent_id: Type.String(),
  detector: Type.String(),
  severity: Type.String(),
  score: Type.Number(),
  title: Type.String(),
  explanation: Type.String(),
  evidence: Type.Array(Type.String()),
  /** Which rule, the target, why it matters, what would have been fine instead (model/finding.ts). */
  rule: Type.String(),
  target: Type.String(),
  why: Type.String(),
  instead: Type.String(),
  at: Type.String(),
});

export function registerFindingRoutes(app: FastifyInstance, options: FindingRouteOptions): void {
  app.get<{ Querystring: Static<typeof FindingQuery> }>(
    '/api/v1/findings',
    { config: { role: 'read' }, schema: { querystring: FindingQuery, response: { 200: Type.Object({ findings: Type.Array(FindingSchema) }) } } },
    async (request) => {
      const q = request.query;
      const findings = await listFindings(options.storage, {
        tenant: tenantOf(request, q.tenant),
        limit: q.limit ?? DEFAULT_LIST_LIMIT,
        ...(q.session ? { sessionId: q.session } : {}),
        ...(q.detector ? { detector: q.detector } : {}),
        ...(q.severity ? { severity: q.severity } : {}),
        ...(q.since ? { sinceMs: parseSince(q.since, options.clock.now()) } : {}),
      });
      return { findings };
    },
  );
}

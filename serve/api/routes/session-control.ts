/**
 * The manual kill switch (role operate):
 * `POST /api/v1/sessions/:id/revoke {reason}` → 200 with the revocation record, 409
 * ALREADY_REVOKED when it already is; `POST /api/v1/sessions/:id/reinstate {reason}` → 200 with
 * the record, 409 NOT_REVOKED when it is not. A reason is required (400 otherwise): lifting or
 * imposing a revocation is recorded, never silent. The actor is `operator:<token name>`.
 * Sessions Warden has never heard of answer 404, so a mistyped id is not revoked in silence.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { RevocationService } from '../../../respond/kill-switch/contracts.js';
import { ApiError } from '../../../lib/errors.js';
import type { SessionReader } from '../queries/session-reader.js';
import type { SessionView } from '../queries/session-view.js';
import { RevocationRecordSchema, SessionParams } from '../queries/schemas.js';
import { TenantParam, tenantOf } from './tenant-scope.js';

export interface SessionControlRouteOptions {
  reader: SessionReader;
  revocations: RevocationService;
}

const ReasonBody = Type.Object({ reason: Type.String({ minLength: 1, maxLength: 2000, pattern: '\\S' }) });
const ControlQuery = Type.Object({ tenant: TenantParam });
type ControlRequest = FastifyRequest<{ Params: Static<typeof SessionParams>; Body: Static<typeof ReasonBody>; Querystring: Static<typeof ControlQuery> }>;

const schema = {
  params: SessionParams,
  body: ReasonBody,
  querystring: ControlQuery,
  response: { 200: RevocationRecordSchema },
};

export function registerSessionControlRoutes(app: FastifyInstance, options: SessionControlRouteOptions): void {
  const { reader, revocations } = options;

  async function target(request: ControlRequest): Promise<{ session: SessionView; by: string; reason: string }> {
    const tenant = tenantOf(request, request.query.tenant);
    const session = await reader.get(tenant, request.params.id);
    if (session === null) throw new ApiError('NOT_FOUND', `no session ${JSON.stringify(request.params.id)}`);
    // The operate role always comes with a token, so a principal is present here.
    return { session, by: `operator:${request.principal?.name ?? 'unknown'}`, reason: request.body.reason.trim() };
  }

  app.post('/api/v1/sessions/:id/revoke', { config: { role: 'operate' }, schema }, async (request: ControlRequest) => {
    const { session, by, reason } = await target(request);
    const record = await revocations.revoke({
      tenant: session.tenant,
      sessionId: session.id,
      ...(session.agent ? { agentId: session.agent } : {}),
      ...(session.user ? { userId: session.user } : {}),
      by,
      reason,
    });
    if (record === null) throw new ApiError('ALREADY_REVOKED', `session ${JSON.stringify(session.id)} is already revoked`);
    return record;
  });

  app.post('/api/v1/sessions/:id/reinstate', { config: { role: 'operate' }, schema }, async (request: ControlRequest) => {
    const { session, by, reason } = await target(request);
    const record = await revocations.reinstate({ tenant: session.tenant, sessionId: session.id, by, reason });
    if (record === null) throw new ApiError('NOT_REVOKED', `session ${JSON.stringify(session.id)} is not revoked`);
    return record;
  });
}

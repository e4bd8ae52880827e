/**
 * `GET /api/v1/sessions/:id/verdict?tool=&command=` (role ingest): the hooks' fast path, asked
 * before every tool call. Answered from memory only — the RevocationService's current record
 * and an optional policy callback — never from ClickHouse, so it costs a map lookup.
 * `{allow: false, reason}` when the session is revoked or the policy blocks this action, and —
 * failing closed — when Warden knew the session's state (declared scope, goal, revocation) but
 * no longer holds it: `lost` (evicted and not reloadable), or spilled to storage and not read
 * back yet (the verdict starts the reload, so a retry a moment later is answered from memory).
 * `{allow: true, reason}` otherwise (a session Warden has not seen yet is not revoked).
 */
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { RevocationService, Verdict } from '../../../respond/kill-switch/contracts.js';
import type { SessionDirectory } from '../../../detect/session/session-directory.js';
import { SessionParams } from '../queries/schemas.js';
import { TenantParam, tenantOf } from './tenant-scope.js';

/** Policy block: a reason when this action is not allowed for the session, else null. */
export type BlockedBy = (tenant: string, sessionId: string, tool: string, command: string) => string | null;

export interface VerdictRouteOptions {
  revocations: Pick<RevocationService, 'revocationOf'>;
  /** Where each session's state is (the session registry); without it, state is not checked. */
  sessions?: Pick<SessionDirectory, 'custody' | 'reload'>;
  blockedBy?: BlockedBy;
}

const VerdictQuery = Type.Object({
  tool: Type.Optional(Type.String({ maxLength: 512 })),
  command: Type.Optional(Type.String({ maxLength: 65_536 })),
  tenant: TenantParam,
});
const VerdictSchema = Type.Object({ allow: Type.Boolean(), reason: Type.String() });

export function verdictFor(options: VerdictRouteOptions, tenant: string, sessionId: string, tool: string, command: string): Verdict {
  const revoked = options.revocations.revocationOf(tenant, sessionId);
  if (revoked !== null) {
    return { allow: false, reason: `Warden revoked this session (${revoked.by}, ${revoked.at}): ${revoked.reason}` };
  }
  const custody = options.sessions?.custody?.(tenant, sessionId) ?? 'unknown';
  if (custody === 'lost') {
    return { allow: false, reason: 'Warden no longer holds this session\'s state (its declared scope, goal or revocation were evicted from memory and could not be reloaded); denied until an operator reinstates the session' };
  }
  if (custody === 'spilled' || custody === 'loading') {
    void options.sessions?.reload?.(tenant, sessionId);
    return { allow: false, reason: 'Warden is reloading this session\'s state (declared scope, goal, revocation) from storage; denied until it is back, retry in a moment' };
  }
  const blocked = options.blockedBy?.(tenant, sessionId, tool, command) ?? null;
  if (blocked !== null) return { allow: false, reason: `Warden policy blocks this action: ${blocked}` };
  return { allow: true, reason: 'session is active' };
}

export function registerVerdictRoute(app: FastifyInstance, options: VerdictRouteOptions): void {
  app.get<{ Params: Static<typeof SessionParams>; Querystring: Static<typeof VerdictQuery> }>(
    '/api/v1/sessions/:id/verdict',
    { config: { role: 'ingest' }, schema: { params: SessionParams, querystring: VerdictQuery, response: { 200: VerdictSchema } } },
    async (request) => {
      const { tool = '', command = '' } = request.query;
      return verdictFor(options, tenantOf(request, request.query.tenant), request.params.id, tool, command);
    },
  );
}

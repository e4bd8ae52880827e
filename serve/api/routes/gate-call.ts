/**
 * A gate request as the owner-routing sees it: the session it is keyed by, the path and body to
 * forward as they came, the caller's credentials, and whether a peer already forwarded it.
 */
import type { FastifyRequest } from 'fastify';
import { FORWARDED_BY_HEADER } from '../../../respond/gate/forward-gate-call.js';
import type { GateCall } from '../../../respond/gate/owner-routing.js';

export function gateCallOf(request: FastifyRequest, sessionId: string): GateCall {
  const forwardedBy = request.headers[FORWARDED_BY_HEADER];
  return {
    key: sessionId,
    path: request.url,
    body: request.body,
    ...(request.headers.authorization ? { authorization: request.headers.authorization } : {}),
    ...(typeof forwardedBy === 'string' ? { forwardedBy } : {}),
  };
}

/**
 * Bearer-token authentication. Each route declares the role it needs in its config
 * (`config: { role: 'read' }`); routes without a role are open (health, metrics). The resolved
 * principal (tenant, roles) is attached to the request. OTLP ingest may be left open on a
 * loopback-bound server (see config): then unauthenticated ingest lands in the default tenant.
 * A plugin (`warden-auth`) that reaches the whole app — its hook runs before every route of every
 * area — so the others declare it as a dependency.
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Principal, Role, TokenRegistry } from '../../../config/tokens.js';
import { ApiError } from '../../../lib/errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    role?: Role;
  }
}

export interface AuthOptions {
  tokens: TokenRegistry;
  ingestRequiresToken: boolean;
}

function bearer(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1]! : null;
}

const auth: FastifyPluginAsync<AuthOptions> = async (app, options) => {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request) => {
    const role = request.routeOptions.config.role;
    if (role === undefined) return;
    const token = bearer(request);
    if (token === null) {
      if (role === 'ingest' && !options.ingestRequiresToken) return;
      throw new ApiError('UNAUTHENTICATED', 'missing bearer token');
    }
    const principal = options.tokens.lookup(token);
    if (principal === undefined) throw new ApiError('UNAUTHENTICATED', 'unknown token');
    if (!principal.roles.has(role) && !principal.roles.has('admin')) {
      throw new ApiError('FORBIDDEN', `this token lacks the "${role}" role`);
    }
    request.principal = principal;
  });
};

export const authPlugin = fp(auth, { name: 'warden-auth', fastify: '5.x' });

/**
 * The gate's routes (`/api/v1/gate`, its decisions and allow-once; routes/gate.ts) as an
 * encapsulated plugin (`warden-gate`, after `warden-auth` and `warden-tenant-scope`): JSON
 * bodies, errors answered `{error: {code, message}}` (api-conventions.ts).
 */
import fp from 'fastify-plugin';
import { registerGateRoutes, type GateRouteOptions } from '../routes/gate.js';
import { useApiConventions, type AnswerError } from './api-conventions.js';

export interface GatePluginOptions {
  gate: GateRouteOptions;
  answerError: AnswerError;
}

export const gatePlugin = fp<GatePluginOptions>(
  async (app, options) => {
    useApiConventions(app, options.answerError);
    registerGateRoutes(app, options.gate);
  },
  { name: 'warden-gate', fastify: '5.x', encapsulate: true, dependencies: ['warden-auth', 'warden-tenant-scope'] },
);

/**
 * The operator API as an encapsulated plugin (`warden-operator-api`, after `warden-auth` and
 * `warden-tenant-scope`): sessions, timeline, blast radius, revoke and reinstate, the hooks'
 * verdict, findings, targets, unattributed events (routes/operator.ts) and the read-only query
 * (routes/query.ts). JSON bodies, errors answered `{error: {code, message}}` (api-conventions.ts).
 */
import fp from 'fastify-plugin';
import { registerOperatorRoutes, type OperatorRouteOptions } from '../routes/operator.js';
import { registerQueryRoute, type QueryRouteOptions } from '../routes/query.js';
import { useApiConventions, type AnswerError } from './api-conventions.js';

export interface OperatorApiOptions {
  operator: OperatorRouteOptions;
  query: QueryRouteOptions;
  answerError: AnswerError;
}

export const operatorApiPlugin = fp<OperatorApiOptions>(
  async (app, options) => {
    useApiConventions(app, options.answerError);
    registerQueryRoute(app, options.query);
    registerOperatorRoutes(app, options.operator);
  },
  { name: 'warden-operator-api', fastify: '5.x', encapsulate: true, dependencies: ['warden-auth', 'warden-tenant-scope'] },
);

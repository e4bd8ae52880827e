/**
 * Liveness, readiness and metrics (routes/health.ts) as an encapsulated plugin (`warden-health`):
 * open routes, no body, errors answered as the app's root answers them.
 */
import fp from 'fastify-plugin';
import { registerHealthRoutes, type HealthRouteOptions } from '../routes/health.js';

export const healthPlugin = fp<HealthRouteOptions>(async (app, options) => registerHealthRoutes(app, options), { name: 'warden-health', fastify: '5.x', encapsulate: true });

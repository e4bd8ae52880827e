/**
 * Liveness, readiness and metrics. `/healthz` answers while the process runs; `/readyz` runs
 * every readiness check (storage reachable, transport connected) and answers 503 naming the
 * ones that failed; `/metrics` is the Prometheus text exposition of this instance's registry.
 */
import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../../lib/metrics.js';

export type ReadinessCheck = () => Promise<void>;

export interface HealthRouteOptions {
  metrics: Metrics;
  checks: Record<string, ReadinessCheck>;
}

export function registerHealthRoutes(app: FastifyInstance, options: HealthRouteOptions): void {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    const results: Record<string, string> = {};
    await Promise.all(
      Object.entries(options.checks).map(async ([name, check]) => {
        try {
          await check();
          results[name] = 'ok';
        } catch {
          results[name] = 'unavailable';
        }
      }),
    );
    const ready = Object.values(results).every((r) => r === 'ok');
    reply.code(ready ? 200 : 503);
    return { status: ready ? 'ready' : 'not_ready', checks: results };
  });

  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', options.metrics.registry.contentType);
    return options.metrics.registry.metrics();
  });
}

/**
 * Liveness, readiness and metrics. `/healthz` answers while the process runs; `/readyz` runs
 * every readiness check (storage reachable, transport connected, storage keeping up — see
 * store/storage-health.ts) and answers 503 naming the ones that failed, each
 * with its reason (the check's error message); `/metrics` is the Prometheus text exposition of
 * this instance's registry.
 */
import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../../../lib/metrics.js';

/** Resolves when ready; rejects (or throws) with the reason when not. */
export type ReadinessCheck = () => Promise<void> | void;

export interface HealthRouteOptions {
  metrics: Metrics;
  checks: Record<string, ReadinessCheck>;
}

export function registerHealthRoutes(app: FastifyInstance, options: HealthRouteOptions): void {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    const results: Record<string, string> = {};
    const reasons: Record<string, string> = {};
    await Promise.all(
      Object.entries(options.checks).map(async ([name, check]) => {
        try {
          await check();
          results[name] = 'ok';
        } catch (err) {
          results[name] = 'unavailable';
          reasons[name] = err instanceof Error ? err.message : String(err);
        }
      }),
    );
    const ready = Object.values(results).every((r) => r === 'ok');
    reply.code(ready ? 200 : 503);
    return ready ? { status: 'ready', checks: results } : { status: 'not_ready', checks: results, reasons };
  });

  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', options.metrics.registry.contentType);
    return options.metrics.registry.metrics();
  });
}

/**
 * `/readyz` over real HTTP with the real storage health: not ready (503, with the reason) while
 * a partition has gone without storing longer than the bound, ready again after its first
 * store. Time is a fake clock.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { FakeClock } from '../../../lib/clock.js';
import { Metrics } from '../../../lib/metrics.js';
import { StorageHealth } from '../../../store/storage-health.js';
import { registerHealthRoutes } from './health.js';

const clock = new FakeClock();
const health = new StorageHealth({ clock, maxFailingMs: 15_000, quietAfterMs: 60_000 });
let app: FastifyInstance;
let url: string;

before(async () => {
  app = Fastify();
  registerHealthRoutes(app, { metrics: new Metrics(), checks: { storage: async () => {}, ingest: () => health.check() } });
  url = await app.listen({ host: '127.0.0.1', port: 0 });
});
after(async () => {
  await app?.close();
});

async function readyz(): Promise<{ status: number; body: { status: string; checks: Record<string, string>; reasons?: Record<string, string> } }> {
  const res = await fetch(`${url}/readyz`);
  return { status: res.status, body: (await res.json()) as { status: string; checks: Record<string, string>; reasons?: Record<string, string> } };
}

it('ready while storage keeps up; a short failure does not flip it', async () => {
  assert.equal((await readyz()).status, 200);
  health.failing('otlp_spans:3', 'STORAGE_UNAVAILABLE');
  clock.advance(10_000);
  health.failing('otlp_spans:3', 'STORAGE_UNAVAILABLE');
  const answer = await readyz();
  assert.equal(answer.status, 200);
  assert.deepEqual(answer.body, { status: 'ready', checks: { storage: 'ok', ingest: 'ok' } });
});

it('not ready, with the partition and the error, once it has not stored for longer than the bound; ready after its first store', async () => {
  clock.advance(6_000);
  health.failing('otlp_spans:3', 'STORAGE_REJECTED');
  const stalled = await readyz();
  assert.equal(stalled.status, 503);
  assert.equal(stalled.body.status, 'not_ready');
  assert.equal(stalled.body.checks.ingest, 'unavailable');
  assert.equal(stalled.body.checks.storage, 'ok');
  assert.match(stalled.body.reasons?.ingest ?? '', /otlp_spans:3 has not stored for 16 s \(STORAGE_REJECTED\)/);
  health.stored('otlp_spans:3');
  assert.equal((await readyz()).status, 200);
});

it('a failing partition that goes quiet (handed to another instance) is not held against this one', async () => {
  health.failing('otlp_logs:1', 'STORAGE_UNAVAILABLE');
  clock.advance(20_000);
  assert.equal((await readyz()).status, 503);
  clock.advance(60_000);
  assert.equal((await readyz()).status, 200);
});

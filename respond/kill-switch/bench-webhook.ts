/**
 * Revocation latency for the project benchmark: `count` sequential revocations through the real
 * service (hash-chained log append with fsync, outbox enqueue with fsync, signed POST over a
 * keep-alive connection) to a local HTTP receiver that verifies each signature. Reports the time
 * from the `revoke()` call to the receiver having the complete request, and to `revoke()`
 * resolving, as p50/p99/max in milliseconds. Run directly to print the figures.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { systemClock } from '../../lib/clock.js';
import { silentLogger } from '../../lib/logger.js';
import { Metrics } from '../../lib/metrics.js';
import { openKillSwitch } from './open-kill-switch.js';
import { webhookId } from './webhook-outbox.js';
import { generateWebhookSecret, loadWebhookEndpoints } from '../../config/webhook-endpoints.js';
import { WebhookReceiver } from './webhook-receiver.js';

export interface RevokeBenchResult {
  count: number;
  /** revoke() called → webhook fully received. */
  webhook_p50_ms: number;
  webhook_p99_ms: number;
  webhook_max_ms: number;
  /** revoke() called → revoke() resolved (record durable, webhook durably queued). */
  revoke_p50_ms: number;
  revoke_p99_ms: number;
  /** Every received request verified with the standardwebhooks library. */
  all_verified: boolean;
}

export async function benchRevokeToWebhook(count = 1_000): Promise<RevokeBenchResult> {
  const secret = generateWebhookSecret();
  const receiver = await WebhookReceiver.start({ secret });
  const dataDir = await mkdtemp(join(tmpdir(), 'warden-bench-revoke-'));
  const ks = await openKillSwitch({
    dataDir, endpoints: loadWebhookEndpoints({ WARDEN_WEBHOOK_URL: receiver.url, WARDEN_WEBHOOK_SECRET: secret }),
    clock: systemClock, logger: silentLogger, metrics: new Metrics(),
  });
  const toWebhook: number[] = [];
  const toResolve: number[] = [];
  try {
    for (let i = -20; i < count; i++) {
      const started = performance.now();
      const record = await ks.service.revoke({ tenant: 'bench', sessionId: `s${i}`, agentId: 'agent', by: 'detector:destructive_burst', reason: 'destructive_burst reported critical' });
      const resolved = performance.now();
      const got = await receiver.delivered(webhookId('session.revoked', record!.hash, 'default'));
      if (i < 0) continue; // warm-up: connection set up, code paths compiled
      toResolve.push(resolved - started);
      toWebhook.push(got.at - started);
    }
    await ks.outbox.whenIdle();
  } finally {
    await ks.close();
    await receiver.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
  return {
    count,
    webhook_p50_ms: quantile(toWebhook, 0.5),
    webhook_p99_ms: quantile(toWebhook, 0.99),
    webhook_max_ms: quantile(toWebhook, 1),
    revoke_p50_ms: quantile(toResolve, 0.5),
    revoke_p99_ms: quantile(toResolve, 0.99),
    all_verified: receiver.received.every((r) => r.verifyError === undefined),
  };
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const value = sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
  return Math.round(value * 1000) / 1000;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await benchRevokeToWebhook(Number(process.argv[2] ?? 1_000));
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

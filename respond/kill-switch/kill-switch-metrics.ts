/**
 * The kill switch's own metrics, registered on the instance's Metrics registry (one set per
 * registry): webhook attempts by endpoint and outcome, messages abandoned, the outbox's depth,
 * time from enqueue to delivery, messages recovered at start (records the log had and the outbox
 * did not), and revocations by action and origin. Errors also go to the
 * shared `warden_errors_total` with stage `webhook`, `revocation_log`, `revocation_mirror` or
 * `revocation_topic`.
 */
import { Counter, Gauge, Histogram } from 'prom-client';
import type { Metrics } from '../../lib/metrics.js';

export interface KillSwitchMetrics {
  webhookAttempts: Counter<'endpoint' | 'outcome'>;
  webhookAbandoned: Counter<'endpoint' | 'code'>;
  outboxPending: Gauge;
  webhookDeliverySeconds: Histogram<'endpoint'>;
  webhookRecovered: Counter<'endpoint' | 'type'>;
  revocations: Counter<'action' | 'origin'>;
}

const byRegistry = new WeakMap<Metrics, KillSwitchMetrics>();

export function killSwitchMetrics(metrics: Metrics): KillSwitchMetrics {
  const existing = byRegistry.get(metrics);
  if (existing) return existing;
  const registers = [metrics.registry];
  const created: KillSwitchMetrics = {
    webhookAttempts: new Counter({ name: 'warden_webhook_attempts_total', help: 'Webhook delivery attempts by endpoint and outcome (delivered, retry, permanent)', labelNames: ['endpoint', 'outcome'] as const, registers }),
    webhookAbandoned: new Counter({ name: 'warden_webhook_abandoned_total', help: 'Webhook messages given up on (rejected, too old, unknown endpoint)', labelNames: ['endpoint', 'code'] as const, registers }),
    outboxPending: new Gauge({ name: 'warden_webhook_outbox_pending', help: 'Webhook messages not yet delivered', registers }),
    webhookDeliverySeconds: new Histogram({ name: 'warden_webhook_delivery_seconds', help: 'Time from enqueue to a 2xx answer', labelNames: ['endpoint'] as const, buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 1, 10, 60, 600, 3600], registers }),
    webhookRecovered: new Counter({ name: 'warden_webhook_recovered_total', help: 'Webhook messages enqueued at start for revocation log records the outbox had no message for', labelNames: ['endpoint', 'type'] as const, registers }),
    revocations: new Counter({ name: 'warden_revocations_total', help: 'Revocations and reinstatements applied, by origin (local, remote)', labelNames: ['action', 'origin'] as const, registers }),
  };
  byRegistry.set(metrics, created);
  return created;
}

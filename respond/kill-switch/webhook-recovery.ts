/**
 * Webhook recovery, run once when the kill switch opens. A revocation is appended to the log
 * and its webhooks are enqueued in the outbox side by side — two files, two fsyncs — so a crash
 * after the log's fsync and before the outbox's leaves a record that no receiver will hear
 * about (as does an outbox write that failed). This pass walks the log back from its end to the
 * time the outbox can vouch for (`WebhookOutbox.vouchesSince`: its finished-message history,
 * and no further back than the first start with each endpoint subscription) and, for each record
 * in that window, enqueues the messages the outbox has never had, per endpoint subscribed to the
 * event type when the record was made. The webhook-id is the one the record would have had
 * (record hash + type + endpoint), so a message already pending, delivered or abandoned is
 * recognised and a second pass adds nothing. The body is rebuilt from the record alone: the log
 * does not hold the agent, the user or the finding, so `agent_id` and `user` are empty and
 * `finding` is null. Failures are logged and counted (`WEBHOOK_RECOVERY_FAILED`); the next start
 * tries again.
 */
import type { Logger } from '../../lib/logger.js';
import type { Metrics } from '../../lib/metrics.js';
import { rfc3339ToNs } from '../../lib/rfc3339.js';
import type { RevocationRecord } from './contracts.js';
import { killSwitchMetrics } from './kill-switch-metrics.js';
import type { WebhookOutbox } from './webhook-outbox.js';
import { recordWebhook } from './webhook-payload.js';

export interface WebhookRecoveryOptions {
  /** The log's records, oldest first (`RevocationLog.loaded`). */
  records: readonly RevocationRecord[];
  outbox: WebhookOutbox;
  logger: Logger;
  metrics: Metrics;
}

export interface WebhookRecovery {
  /** Clock ms the walk went back to; older records were not looked at. */
  since: number;
  /** Records looked at. */
  scanned: number;
  /** Records that had at least one message enqueued. */
  records: number;
  /** Messages enqueued. */
  messages: number;
  /** Records whose messages could not be enqueued. */
  failed: number;
}

const UNKNOWN_IDENTITY = { agentId: '', userId: '' };

export async function recoverWebhooks(options: WebhookRecoveryOptions): Promise<WebhookRecovery> {
  const { records, outbox, metrics } = options;
  const logger = options.logger.child({ component: 'webhook-recovery' });
  const recovered = killSwitchMetrics(metrics).webhookRecovered;
  const since = outbox.vouchesSince();
  const window: RevocationRecord[] = [];
  for (let i = records.length - 1; i >= 0 && recordMs(records[i]!) >= since; i--) window.push(records[i]!);
  window.reverse();

  const result: WebhookRecovery = { since, scanned: window.length, records: 0, messages: 0, failed: 0 };
  for (const record of window) {
    const { type, payload, seed } = recordWebhook(record, UNKNOWN_IDENTITY, null);
    try {
      const added = await outbox.enqueueMissed(type, payload, seed, recordMs(record));
      if (added.length === 0) continue;
      result.records++;
      result.messages += added.length;
      for (const m of added) recovered.inc({ endpoint: m.endpoint, type });
      logger.warn(
        { seq: record.seq, tenant: record.tenant, session_id: record.session_id, type, endpoints: added.map((m) => m.endpoint), webhook_ids: added.map((m) => m.id) },
        `${type} webhook recovered: the record was in the revocation log but not in the outbox`,
      );
    } catch (err) {
      result.failed++;
      metrics.errors.inc({ stage: 'webhook', code: 'WEBHOOK_RECOVERY_FAILED' });
      logger.error({ code: 'WEBHOOK_RECOVERY_FAILED', retryable: true, seq: record.seq, session_id: record.session_id, err: (err as Error).message }, `${type} webhook could not be recovered; the next start tries again`);
    }
  }
  const level = result.messages > 0 || result.failed > 0 ? 'warn' : 'info';
  // `since` is +Infinity without endpoints (nothing to recover).
  logger[level]({ ...result, since: Number.isFinite(since) ? new Date(since).toISOString() : null }, 'webhook recovery pass done');
  return result;
}

/** The record's time in clock ms (records in the log are verified RFC 3339 UTC). */
function recordMs(record: RevocationRecord): number {
  return Number((rfc3339ToNs(record.at) ?? 0n) / 1_000_000n);
}

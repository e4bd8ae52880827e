/**
 * Wiring of the kill switch's effects over one data directory: the revocation log
 * (`revocations.log`), the webhook outbox (`webhook-outbox.jsonl`), the HTTP sender and the
 * RevocationService on top. Before it resolves, the recovery pass enqueues the webhooks of
 * recent log records the outbox never had (a crash between the two writes; webhook-recovery.ts).
 * main.ts calls this once; tests and the benchmark call it to start, stop and restart "Warden"
 * over the same files. `close()` stops retries and closes the files; undelivered webhooks stay
 * in the outbox for the next start.
 */
import { join } from 'node:path';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';
import type { Metrics } from '../../lib/metrics.js';
import type { RevocationRecord } from './contracts.js';
import { REVOCATION_LOG_FILE, RevocationLog, type RecordMirror } from './revocation-log.js';
import { createRevocationService, type KillSwitchService, type RevocationPublisher, type StateOrigin } from './revocation-service.js';
import type { ScheduleFn } from './schedule.js';
import { OUTBOX_FILE } from './outbox-store.js';
import type { WebhookEndpoint } from '../../config/webhook-endpoints.js';
import { WebhookOutbox, type WebhookOutboxOptions } from './webhook-outbox.js';
import { recoverWebhooks, type WebhookRecovery } from './webhook-recovery.js';
import { createHttpWebhookSender, type WebhookSender } from './webhook-sender.js';

export interface OpenKillSwitchOptions {
  dataDir: string;
  endpoints: readonly WebhookEndpoint[];
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  /** Default: an HTTP sender with a 5 s timeout (closed by `close()`). */
  sender?: WebhookSender;
  schedule?: ScheduleFn;
  random?: () => number;
  retry?: WebhookOutboxOptions['retry'];
  /** How long the outbox remembers finished webhooks, and so how far back recovery looks (default 7 days). */
  webhookHistoryMs?: number;
  mirror?: RecordMirror;
  publisher?: RevocationPublisher;
  onStateChange?: (record: RevocationRecord, origin: StateOrigin) => void;
}

export interface KillSwitch {
  service: KillSwitchService;
  log: RevocationLog;
  outbox: WebhookOutbox;
  /** What the recovery pass at open found and enqueued. */
  recovery: WebhookRecovery;
  close(): Promise<void>;
}

export async function openKillSwitch(options: OpenKillSwitchOptions): Promise<KillSwitch> {
  const log = await RevocationLog.open({ file: join(options.dataDir, REVOCATION_LOG_FILE), logger: options.logger, mirror: options.mirror });
  const ownSender = options.sender === undefined;
  const sender = options.sender ?? createHttpWebhookSender();
  let outbox: WebhookOutbox;
  try {
    outbox = await WebhookOutbox.open({
      file: join(options.dataDir, OUTBOX_FILE), endpoints: options.endpoints, sender, clock: options.clock,
      logger: options.logger, metrics: options.metrics, schedule: options.schedule, random: options.random, retry: options.retry,
      historyMs: options.webhookHistoryMs,
    });
  } catch (err) {
    await log.close();
    if (ownSender) await sender.close();
    throw err;
  }
  const close = async (): Promise<void> => {
    await outbox.close();
    await log.close();
    if (ownSender) await sender.close();
  };
  const service = createRevocationService({
    log, outbox, clock: options.clock, logger: options.logger, metrics: options.metrics,
    publisher: options.publisher, onStateChange: options.onStateChange,
  });
  let recovery: WebhookRecovery;
  try {
    recovery = await recoverWebhooks({ records: log.loaded, outbox, logger: options.logger, metrics: options.metrics });
  } catch (err) {
    await close();
    throw err;
  }
  return { service, log, outbox, recovery, close };
}

/**
 * WebhookOutbox: at-least-once delivery of signed webhooks from a durable outbox. `enqueue`
 * writes one message per subscribed endpoint (fsync'd), then attempts each at once. A failed
 * attempt is retried with capped exponential backoff and jitter (default 1 s doubling to 60 s)
 * until it succeeds, the receiver refuses it for good (4xx other than 408/429), or it is older
 * than the maximum age (default 24 h) — then it is abandoned, logged and counted. The webhook-id
 * is derived from the event and the endpoint, so it is the same on every attempt, after a
 * restart, and if the same event is enqueued again. Opening reloads what was not delivered.
 * Time comes from the injected clock and waits from the injected ScheduleFn.
 */
import { createHash } from 'node:crypto';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';
import type { Metrics } from '../../lib/metrics.js';
import { backoffDelay } from '../../lib/retry.js';
import { killSwitchMetrics, type KillSwitchMetrics } from './kill-switch-metrics.js';
import { DEFAULT_COMPACT_AFTER, OutboxStore, type OutboxMessage } from './outbox-store.js';
import { systemSchedule, type Cancel, type ScheduleFn } from './schedule.js';
import type { WebhookEndpoint, WebhookEventType } from './webhook-endpoints.js';
import type { DeliveryOutcome, WebhookSender } from './webhook-sender.js';

export const DEFAULT_OUTBOX_RETRY = { initialMs: 1_000, maxMs: 60_000, maxAgeMs: 24 * 3600_000 } as const;
export const DEFAULT_MAX_CONCURRENT = 32;

export interface WebhookOutboxOptions {
  /** The outbox file (e.g. `<data dir>/webhook-outbox.jsonl`). */
  file: string;
  endpoints: readonly WebhookEndpoint[];
  sender: WebhookSender;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  schedule?: ScheduleFn;
  random?: () => number;
  retry?: { initialMs?: number; maxMs?: number; maxAgeMs?: number };
  /** Retries in flight at once (first attempts are never held back). */
  maxConcurrent?: number;
  compactAfter?: number;
}

export function webhookId(type: WebhookEventType, seed: string, endpoint: string): string {
  return `msg_${createHash('sha256').update(`${type}\n${seed}\n${endpoint}`).digest('hex').slice(0, 32)}`;
}

export class WebhookOutbox {
  private readonly pending = new Map<string, OutboxMessage>();
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly endpoints: Map<string, WebhookEndpoint>;
  private readonly logger: Logger;
  private readonly m: KillSwitchMetrics;
  private readonly schedule: ScheduleFn;
  private readonly retry: { initialMs: number; maxMs: number; maxAgeMs: number };
  private timer: { due: number; cancel: Cancel } | undefined;
  private closing = false;

  private constructor(
    private readonly store: OutboxStore,
    private readonly options: WebhookOutboxOptions,
  ) {
    this.endpoints = new Map(options.endpoints.map((e) => [e.name, e]));
    this.logger = options.logger.child({ component: 'webhook-outbox' });
    this.m = killSwitchMetrics(options.metrics);
    this.schedule = options.schedule ?? systemSchedule;
    this.retry = { ...DEFAULT_OUTBOX_RETRY, ...options.retry };
  }

  static async open(options: WebhookOutboxOptions): Promise<WebhookOutbox> {
    const { store, pending } = await OutboxStore.open(options.file, options.logger, options.compactAfter ?? DEFAULT_COMPACT_AFTER);
    const outbox = new WebhookOutbox(store, options);
    for (const msg of pending) outbox.pending.set(msg.id, msg);
    outbox.m.outboxPending.set(outbox.pending.size);
    if (pending.length > 0) outbox.logger.info({ pending: pending.length }, 'webhook outbox: resuming undelivered messages');
    outbox.reschedule();
    return outbox;
  }

  /** Durably enqueues `payload` for every endpoint subscribed to `type`, then attempts each now. */
  async enqueue(type: WebhookEventType, payload: string, seed: string): Promise<string[]> {
    const now = this.options.clock.now();
    const fresh: OutboxMessage[] = [];
    for (const endpoint of this.endpoints.values()) {
      if (!endpoint.events.includes(type)) continue;
      const id = webhookId(type, seed, endpoint.name);
      if (this.pending.has(id) || fresh.some((m) => m.id === id)) continue;
      fresh.push({ id, endpoint: endpoint.name, type, payload, created: now, attempts: 0, next_attempt_at: now });
    }
    if (fresh.length === 0) return [];
    // The enqueue line is handed to the file first (appends keep call order), then the first
    // attempt goes out beside its fsync rather than after it: the webhook does not wait for the
    // disk, and a failed first attempt is retried from the durable copy, also after a restart.
    const durable = this.store.enqueue(fresh);
    for (const msg of fresh) this.pending.set(msg.id, msg);
    this.m.outboxPending.set(this.pending.size);
    for (const msg of fresh) this.attempt(msg);
    await durable;
    return fresh.map((m) => m.id);
  }

  pendingCount(): number {
    return this.pending.size;
  }

  /** Resolves when no attempt is in flight. */
  async whenIdle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight.values()]);
  }

  /** Stops retrying, waits for attempts in flight, closes the file. Pending messages stay on disk. */
  async close(): Promise<void> {
    this.closing = true;
    this.timer?.cancel();
    this.timer = undefined;
    await this.whenIdle();
    await this.store.close();
  }

  private attempt(msg: OutboxMessage): void {
    if (this.closing || this.inFlight.has(msg.id)) return;
    const run = this.runAttempt(msg)
      .catch((err: unknown) => {
        this.options.metrics.errors.inc({ stage: 'webhook', code: 'OUTBOX_WRITE_FAILED' });
        this.logger.error({ webhook_id: msg.id, err: (err as Error).message }, 'webhook outbox: could not record an attempt');
      })
      .finally(() => {
        this.inFlight.delete(msg.id);
        this.reschedule();
      });
    this.inFlight.set(msg.id, run);
  }

  private async runAttempt(msg: OutboxMessage): Promise<void> {
    const endpoint = this.endpoints.get(msg.endpoint);
    if (!endpoint) return this.abandon(msg, 'WEBHOOK_ENDPOINT_UNKNOWN', 'the endpoint is no longer configured');
    const outcome = await this.options.sender.send(endpoint, msg, new Date(this.options.clock.now()));
    const now = this.options.clock.now();
    msg.attempts++;
    this.m.webhookAttempts.inc({ endpoint: endpoint.name, outcome: outcome.kind });
    if (outcome.kind === 'delivered') {
      this.pending.delete(msg.id);
      this.m.outboxPending.set(this.pending.size);
      this.m.webhookDeliverySeconds.observe({ endpoint: endpoint.name }, (now - msg.created) / 1000);
      this.options.metrics.sent.inc({ stage: 'webhook', signal: msg.type });
      if (msg.attempts > 1) this.logger.info({ endpoint: endpoint.name, webhook_id: msg.id, attempts: msg.attempts }, 'webhook delivered after retries');
      return this.store.finish(msg.id, now, { delivered: true }, () => [...this.pending.values()]);
    }
    this.options.metrics.errors.inc({ stage: 'webhook', code: outcome.code });
    if (outcome.kind === 'permanent') return this.abandon(msg, outcome.code, describe(outcome));
    if (now - msg.created >= this.retry.maxAgeMs) return this.abandon(msg, 'WEBHOOK_TOO_OLD', `still failing after ${msg.attempts} attempts: ${describe(outcome)}`);
    const delay = backoffDelay(msg.attempts, this.retry.initialMs, this.retry.maxMs, this.options.random ?? Math.random);
    msg.next_attempt_at = now + delay;
    msg.last_error = describe(outcome);
    this.logger.warn({ endpoint: endpoint.name, webhook_id: msg.id, attempts: msg.attempts, code: outcome.code, status: outcome.status, retry_in_ms: delay }, 'webhook attempt failed; will retry');
    await this.store.recordAttempt(msg);
  }

  private async abandon(msg: OutboxMessage, code: string, why: string): Promise<void> {
    this.pending.delete(msg.id);
    this.m.outboxPending.set(this.pending.size);
    this.m.webhookAbandoned.inc({ endpoint: msg.endpoint, code });
    this.logger.error({ endpoint: msg.endpoint, webhook_id: msg.id, type: msg.type, attempts: msg.attempts, code }, `webhook abandoned: ${why}`);
    await this.store.finish(msg.id, this.options.clock.now(), { delivered: false, code }, () => [...this.pending.values()]);
  }

  /** Keeps one timer, set for the earliest message that is waiting and not in flight. */
  private reschedule(): void {
    if (this.closing) return;
    let due: number | undefined;
    if (this.inFlight.size < (this.options.maxConcurrent ?? DEFAULT_MAX_CONCURRENT)) {
      for (const msg of this.pending.values()) {
        if (!this.inFlight.has(msg.id) && (due === undefined || msg.next_attempt_at < due)) due = msg.next_attempt_at;
      }
    }
    if (this.timer && this.timer.due === due) return;
    this.timer?.cancel();
    this.timer = undefined;
    if (due === undefined) return;
    const at = due;
    this.timer = { due: at, cancel: this.schedule(() => this.fire(at), at - this.options.clock.now()) };
  }

  private fire(at: number): void {
    if (this.timer?.due === at) this.timer = undefined;
    const now = this.options.clock.now();
    const room = (this.options.maxConcurrent ?? DEFAULT_MAX_CONCURRENT) - this.inFlight.size;
    const due = [...this.pending.values()].filter((m) => m.next_attempt_at <= now && !this.inFlight.has(m.id));
    due.sort((a, b) => a.next_attempt_at - b.next_attempt_at);
    for (const msg of due.slice(0, Math.max(0, room))) this.attempt(msg);
    this.reschedule();
  }
}

function describe(outcome: DeliveryOutcome): string {
  return outcome.kind === 'delivered' ? `delivered (${outcome.status})` : `${outcome.code}: ${outcome.message}`;
}

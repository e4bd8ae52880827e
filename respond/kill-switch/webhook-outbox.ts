/**
 * WebhookOutbox: at-least-once delivery of signed webhooks from a durable outbox. `enqueue`
 * writes one message per subscribed endpoint (fsync'd), then attempts each at once. A failed
 * attempt is retried with capped exponential backoff and jitter (default 1 s doubling to 60 s)
 * until it succeeds, the receiver refuses it for good (4xx other than 408/429), or it is older
 * than the maximum age (default 24 h) — then it is abandoned, logged and counted. The webhook-id
 * is derived from the event and the endpoint, so it is the same on every attempt, after a
 * restart, and if the same event is enqueued again: an id still pending, or finished (delivered
 * or abandoned) within the history window (default 7 days), is not enqueued twice. The outbox
 * also remembers since when each endpoint has been subscribed to each event type, so it can say
 * from which event time on it knows every message that was ever enqueued (`vouchesSince`) —
 * what the recovery pass at start relies on (`enqueueMissed`). Opening reloads what was not
 * delivered. Time comes from the injected clock and waits from the injected ScheduleFn.
 */
import { createHash } from 'node:crypto';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';
import type { Metrics } from '../../lib/metrics.js';
import { PermanentError } from '../../lib/errors.js';
import { backoffDelay } from '../../lib/retry.js';
import { killSwitchMetrics, type KillSwitchMetrics } from './kill-switch-metrics.js';
import { DEFAULT_COMPACT_AFTER, OutboxStore, type OutboxContents, type OutboxMessage, type Subscription } from './outbox-store.js';
import { systemSchedule, type Cancel, type ScheduleFn } from './schedule.js';
import type { WebhookEndpoint, WebhookEventType } from '../../config/webhook-endpoints.js';
import type { DeliveryOutcome, WebhookSender } from './webhook-sender.js';

export const DEFAULT_OUTBOX_RETRY = { initialMs: 1_000, maxMs: 60_000, maxAgeMs: 24 * 3600_000 } as const;
export const DEFAULT_MAX_CONCURRENT = 32;
/** How long the ids of finished (delivered or abandoned) messages are kept. */
export const DEFAULT_OUTBOX_HISTORY_MS = 7 * 24 * 3600_000;

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
  /** How long finished message ids are remembered (default 7 days); bounds how far back recovery looks. */
  historyMs?: number;
}

export function webhookId(type: WebhookEventType, seed: string, endpoint: string): string {
  return `msg_${createHash('sha256').update(`${type}\n${seed}\n${endpoint}`).digest('hex').slice(0, 32)}`;
}

/** A message `enqueueMissed` added. */
export interface EnqueuedMessage {
  id: string;
  endpoint: string;
}

export class WebhookOutbox {
  private readonly pending = new Map<string, OutboxMessage>();
  /** Finished message id → clock ms when it finished (kept `historyMs`). */
  private readonly finished = new Map<string, number>();
  /** `endpoint\ntype` → since when (clock ms) that endpoint has been sent that event type. */
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly historyMs: number;
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
    this.historyMs = options.historyMs ?? DEFAULT_OUTBOX_HISTORY_MS;
  }

  /**
   * Opens the file: pending messages resume, finished ids older than the history window are
   * dropped, and every configured endpoint's event types are recorded as subscribed since now
   * unless the file already knows them (an endpoint no longer configured is forgotten).
   */
  static async open(options: WebhookOutboxOptions): Promise<WebhookOutbox> {
    const historyMs = options.historyMs ?? DEFAULT_OUTBOX_HISTORY_MS;
    if (!Number.isFinite(historyMs) || historyMs <= 0) {
      throw new PermanentError('INVALID_OUTBOX_OPTIONS', `webhook outbox: historyMs must be a positive number of milliseconds, not ${historyMs}`);
    }
    const { store, contents } = await OutboxStore.open(options.file, options.logger, options.compactAfter ?? DEFAULT_COMPACT_AFTER);
    const outbox = new WebhookOutbox(store, options);
    const now = options.clock.now();
    for (const msg of contents.pending) outbox.pending.set(msg.id, msg);
    for (const [id, at] of contents.finished) outbox.finished.set(id, at);
    const known = new Map(contents.subscriptions.map((s) => [subscriptionKey(s.endpoint, s.type), s]));
    for (const endpoint of options.endpoints) {
      for (const type of endpoint.events) {
        const key = subscriptionKey(endpoint.name, type);
        outbox.subscriptions.set(key, known.get(key) ?? { endpoint: endpoint.name, type, since: now });
      }
    }
    try {
      // Start clean: the file then holds exactly the contents (and any torn line is gone).
      await store.rewrite(outbox.contents());
    } catch (err) {
      await store.close().catch(() => undefined);
      throw err;
    }
    outbox.m.outboxPending.set(outbox.pending.size);
    if (outbox.pending.size > 0) outbox.logger.info({ pending: outbox.pending.size }, 'webhook outbox: resuming undelivered messages');
    outbox.reschedule();
    return outbox;
  }

  /**
   * Durably enqueues `payload` for every endpoint subscribed to `type`, then attempts each now.
   * An endpoint whose message for this event is pending or finished within the history window
   * is left out. Resolves with the ids enqueued.
   */
  async enqueue(type: WebhookEventType, payload: string, seed: string): Promise<string[]> {
    return (await this.add(type, payload, seed, undefined)).map((m) => m.id);
  }

  /**
   * Recovery: enqueues the messages for an event that happened at `occurredAt` (clock ms) that
   * the outbox has never had — only for endpoints that were subscribed to `type` by then, and
   * only when `occurredAt` is not before `vouchesSince()` (older events are beyond what the
   * history can tell). Resolves with what was added.
   */
  enqueueMissed(type: WebhookEventType, payload: string, seed: string, occurredAt: number): Promise<EnqueuedMessage[]> {
    if (occurredAt < this.options.clock.now() - this.historyMs) return Promise.resolve([]);
    return this.add(type, payload, seed, occurredAt);
  }

  /**
   * The earliest event time (clock ms) from which the outbox knows every message ever enqueued
   * for the endpoints now configured: the history window, and no further back than the first
   * start with each subscription. +Infinity without endpoints.
   */
  vouchesSince(): number {
    let earliest = Number.POSITIVE_INFINITY;
    for (const s of this.subscriptions.values()) earliest = Math.min(earliest, s.since);
    return Math.max(earliest, this.options.clock.now() - this.historyMs);
  }

  /** True while the message is pending, or finished within the history window. */
  knows(id: string): boolean {
    return this.pending.has(id) || this.finished.has(id);
  }

  private async add(type: WebhookEventType, payload: string, seed: string, occurredAt: number | undefined): Promise<EnqueuedMessage[]> {
    const now = this.options.clock.now();
    const fresh: OutboxMessage[] = [];
    for (const endpoint of this.endpoints.values()) {
      if (!endpoint.events.includes(type)) continue;
      if (occurredAt !== undefined && !this.subscribedBy(endpoint.name, type, occurredAt)) continue;
      const id = webhookId(type, seed, endpoint.name);
      if (this.knows(id) || fresh.some((m) => m.id === id)) continue;
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
    return fresh.map((m) => ({ id: m.id, endpoint: m.endpoint }));
  }

  pendingCount(): number {
    return this.pending.size;
  }

  private subscribedBy(endpoint: string, type: WebhookEventType, at: number): boolean {
    const subscription = this.subscriptions.get(subscriptionKey(endpoint, type));
    return subscription !== undefined && subscription.since <= at;
  }

  /** What a rewrite of the file keeps; finished ids older than the history window are dropped. */
  private contents(): OutboxContents {
    const horizon = this.options.clock.now() - this.historyMs;
    for (const [id, at] of this.finished) if (at < horizon) this.finished.delete(id);
    return { pending: [...this.pending.values()], finished: new Map(this.finished), subscriptions: [...this.subscriptions.values()] };
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
      this.finished.set(msg.id, now);
      this.m.outboxPending.set(this.pending.size);
      this.m.webhookDeliverySeconds.observe({ endpoint: endpoint.name }, (now - msg.created) / 1000);
      this.options.metrics.sent.inc({ stage: 'webhook', signal: msg.type });
      if (msg.attempts > 1) this.logger.info({ endpoint: endpoint.name, webhook_id: msg.id, attempts: msg.attempts }, 'webhook delivered after retries');
      return this.store.finish(msg.id, now, { delivered: true }, () => this.contents());
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
    const now = this.options.clock.now();
    this.pending.delete(msg.id);
    this.finished.set(msg.id, now);
    this.m.outboxPending.set(this.pending.size);
    this.m.webhookAbandoned.inc({ endpoint: msg.endpoint, code });
    this.logger.error({ endpoint: msg.endpoint, webhook_id: msg.id, type: msg.type, attempts: msg.attempts, code }, `webhook abandoned: ${why}`);
    await this.store.finish(msg.id, now, { delivered: false, code }, () => this.contents());
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

function subscriptionKey(endpoint: string, type: WebhookEventType): string {
  return `${endpoint}\n${type}`;
}

function describe(outcome: DeliveryOutcome): string {
  return outcome.kind === 'delivered' ? `delivered (${outcome.status})` : `${outcome.code}: ${outcome.message}`;
}

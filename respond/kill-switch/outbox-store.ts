/**
 * The webhook outbox on disk: one JSONL file of operations — `enqueue` (the whole message),
 * `attempt` (attempts so far, next attempt time, last error), `delivered` and `abandoned`;
 * `finished` (a delivered or abandoned message's id and when it finished, as a rewrite keeps
 * it) and `subscribed` (since when an endpoint has been sent an event type). Enqueues are fsync'd
 * before they resolve, so a message accepted is delivered after a crash or restart; marks are
 * written without waiting for fsync (losing one means a redelivery with the same webhook-id,
 * which receivers de-duplicate). Opening replays the file into its contents: the messages still
 * pending, the finished ids and the subscriptions. A rewrite (at open, and when finished
 * messages dominate) keeps exactly those contents; the caller decides how much history to keep.
 */
import { readFile } from 'node:fs/promises';
import type { Logger } from '../../lib/logger.js';
import { AppendFile } from './append-file.js';
import type { WebhookEventType } from '../../config/webhook-endpoints.js';

export const OUTBOX_FILE = 'webhook-outbox.jsonl';
export const DEFAULT_COMPACT_AFTER = 1_000;

export interface OutboxMessage {
  id: string;
  endpoint: string;
  type: WebhookEventType;
  payload: string;
  /** Clock ms when enqueued. */
  created: number;
  attempts: number;
  /** Clock ms of the next attempt. */
  next_attempt_at: number;
  last_error?: string;
}

/** An endpoint has been sent `type` events since `since` (clock ms). */
export interface Subscription {
  endpoint: string;
  type: WebhookEventType;
  since: number;
}

export interface OutboxContents {
  /** Messages not yet delivered or abandoned, oldest first. */
  pending: OutboxMessage[];
  /** Delivered or abandoned message ids → clock ms when they finished. */
  finished: Map<string, number>;
  subscriptions: Subscription[];
}

type Line =
  | { op: 'enqueue'; msg: OutboxMessage }
  | { op: 'attempt'; id: string; attempts: number; next_attempt_at: number; error: string }
  | { op: 'delivered'; id: string; at: number }
  | { op: 'abandoned'; id: string; at: number; code: string }
  | { op: 'finished'; id: string; at: number }
  | ({ op: 'subscribed' } & Subscription);

export class OutboxStore {
  private finishedSinceRewrite = 0;

  private constructor(
    private readonly out: AppendFile,
    private readonly compactAfter: number,
  ) {}

  /** Opens the file and returns the store with what the file holds. Nothing is rewritten yet. */
  static async open(file: string, logger: Logger, compactAfter = DEFAULT_COMPACT_AFTER): Promise<{ store: OutboxStore; contents: OutboxContents }> {
    const contents = replay(await readText(file), logger);
    const store = new OutboxStore(await AppendFile.open(file), compactAfter);
    return { store, contents };
  }

  /** Replaces the file with exactly `contents` (atomically; a torn last line is gone after it). */
  rewrite(contents: OutboxContents): Promise<void> {
    this.finishedSinceRewrite = 0;
    const lines: Line[] = [
      ...contents.subscriptions.map((s): Line => ({ op: 'subscribed', endpoint: s.endpoint, type: s.type, since: s.since })),
      ...[...contents.finished].map(([id, at]): Line => ({ op: 'finished', id, at })),
      ...contents.pending.map((msg): Line => ({ op: 'enqueue', msg })),
    ];
    return this.out.replace(lines.map((line) => `${JSON.stringify(line)}\n`).join(''));
  }

  enqueue(messages: readonly OutboxMessage[]): Promise<void> {
    return this.out.append(messages.map((msg) => `${JSON.stringify({ op: 'enqueue', msg } satisfies Line)}\n`).join(''), { sync: true });
  }

  recordAttempt(msg: OutboxMessage): Promise<void> {
    const line: Line = { op: 'attempt', id: msg.id, attempts: msg.attempts, next_attempt_at: msg.next_attempt_at, error: msg.last_error ?? '' };
    return this.out.append(`${JSON.stringify(line)}\n`, { sync: false });
  }

  /** Marks a message finished; rewrites the file with `contents()` when finished ones dominate. */
  async finish(id: string, at: number, outcome: { delivered: true } | { delivered: false; code: string }, contents: () => OutboxContents): Promise<void> {
    const line: Line = outcome.delivered ? { op: 'delivered', id, at } : { op: 'abandoned', id, at, code: outcome.code };
    await this.out.append(`${JSON.stringify(line)}\n`, { sync: false });
    this.finishedSinceRewrite++;
    if (this.finishedSinceRewrite < this.compactAfter) return;
    const live = contents();
    if (this.finishedSinceRewrite >= live.pending.length) await this.rewrite(live);
  }

  close(): Promise<void> {
    return this.out.close();
  }
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw err;
  }
}

function replay(text: string, logger: Logger): OutboxContents {
  const pending = new Map<string, OutboxMessage>();
  const finished = new Map<string, number>();
  const subscriptions = new Map<string, Subscription>();
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    if (raw === '') return;
    let line: Line;
    try {
      line = JSON.parse(raw) as Line;
    } catch {
      // Only a crash mid-write leaves a partial line, and only the last one.
      logger.warn({ line: i + 1, last: i === lines.length - 1 }, 'webhook outbox: skipping a line that does not parse');
      return;
    }
    switch (line.op) {
      case 'enqueue':
        pending.set(line.msg.id, line.msg);
        break;
      case 'attempt': {
        const msg = pending.get(line.id);
        if (msg) Object.assign(msg, { attempts: line.attempts, next_attempt_at: line.next_attempt_at, last_error: line.error });
        break;
      }
      case 'subscribed':
        subscriptions.set(`${line.endpoint}\n${line.type}`, { endpoint: line.endpoint, type: line.type, since: line.since });
        break;
      case 'delivered':
      case 'abandoned':
      case 'finished':
        pending.delete(line.id);
        finished.set(line.id, line.at);
    }
  });
  return { pending: [...pending.values()], finished, subscriptions: [...subscriptions.values()] };
}

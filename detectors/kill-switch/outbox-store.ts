/**
 * The webhook outbox on disk: one JSONL file of operations — `enqueue` (the whole message),
 * `attempt` (attempts so far, next attempt time, last error), `delivered` and `abandoned`.
 * Enqueues are fsync'd before they resolve, so a message accepted is delivered after a crash or
 * restart; marks are written without waiting for fsync (losing one means a redelivery with the
 * same webhook-id, which receivers de-duplicate). Opening replays the file into the messages
 * still pending. When finished messages dominate, the file is rewritten with the pending ones.
 */
import { readFile } from 'node:fs/promises';
import type { Logger } from '../../lib/logger.js';
import { AppendFile } from './append-file.js';
import type { WebhookEventType } from './webhook-endpoints.js';

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

type Line =
  | { op: 'enqueue'; msg: OutboxMessage }
  | { op: 'attempt'; id: string; attempts: number; next_attempt_at: number; error: string }
  | { op: 'delivered'; id: string; at: number }
  | { op: 'abandoned'; id: string; at: number; code: string };

export class OutboxStore {
  private finished = 0;

  private constructor(
    private readonly out: AppendFile,
    private readonly compactAfter: number,
  ) {}

  /** Opens the file and returns the store with the messages still pending, oldest first. */
  static async open(file: string, logger: Logger, compactAfter = DEFAULT_COMPACT_AFTER): Promise<{ store: OutboxStore; pending: OutboxMessage[] }> {
    const pending = replay(await readText(file), logger);
    const store = new OutboxStore(await AppendFile.open(file), compactAfter);
    // Start clean: the file then holds exactly the pending messages (and any torn line is gone).
    await store.out.replace(pending.map((msg) => `${JSON.stringify({ op: 'enqueue', msg } satisfies Line)}\n`).join(''));
    return { store, pending };
  }

  enqueue(messages: readonly OutboxMessage[]): Promise<void> {
    return this.out.append(messages.map((msg) => `${JSON.stringify({ op: 'enqueue', msg } satisfies Line)}\n`).join(''), { sync: true });
  }

  recordAttempt(msg: OutboxMessage): Promise<void> {
    const line: Line = { op: 'attempt', id: msg.id, attempts: msg.attempts, next_attempt_at: msg.next_attempt_at, error: msg.last_error ?? '' };
    return this.out.append(`${JSON.stringify(line)}\n`, { sync: false });
  }

  /** Marks a message finished; compacts when finished ones dominate `pending`. */
  async finish(id: string, at: number, outcome: { delivered: true } | { delivered: false; code: string }, pending: () => OutboxMessage[]): Promise<void> {
    const line: Line = outcome.delivered ? { op: 'delivered', id, at } : { op: 'abandoned', id, at, code: outcome.code };
    await this.out.append(`${JSON.stringify(line)}\n`, { sync: false });
    this.finished++;
    if (this.finished < this.compactAfter) return;
    const live = pending();
    if (this.finished >= live.length) {
      this.finished = 0;
      await this.out.replace(live.map((msg) => `${JSON.stringify({ op: 'enqueue', msg } satisfies Line)}\n`).join(''));
    }
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

function replay(text: string, logger: Logger): OutboxMessage[] {
  const pending = new Map<string, OutboxMessage>();
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
    if (line.op === 'enqueue') pending.set(line.msg.id, line.msg);
    else if (line.op === 'attempt') {
      const msg = pending.get(line.id);
      if (msg) Object.assign(msg, { attempts: line.attempts, next_attempt_at: line.next_attempt_at, last_error: line.error });
    } else pending.delete(line.id);
  });
  return [...pending.values()];
}

/**
 * DeadLetterSink for embedded mode: keeps the last N dead letters in memory (for the operator
 * API and tests) and logs each one with its origin and reason — never its payload, which may
 * hold secrets that were not redacted yet. Counts `warden_dead_letter_total` by reason code.
 */
import { systemClock, type Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';
import type { Metrics } from '../../lib/metrics.js';
import type { ConsumedMessage, DeadLetterSink } from './transport.js';

export const DEFAULT_DEAD_LETTERS_KEPT = 100;

export interface DeadLetterEntry {
  message: ConsumedMessage;
  reason: { code: string; message: string };
  /** Milliseconds since the epoch. */
  at: number;
}

export interface MemoryDeadLetterOptions {
  /** How many of the most recent dead letters are kept. */
  keep?: number;
  clock?: Clock;
  logger: Logger;
  metrics: Metrics;
}

export class MemoryDeadLetterSink implements DeadLetterSink {
  private readonly kept: DeadLetterEntry[] = [];
  private readonly keep: number;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly metrics: Metrics;

  constructor(options: MemoryDeadLetterOptions) {
    if (options.keep !== undefined && !(Number.isInteger(options.keep) && options.keep >= 0)) {
      throw new RangeError('keep must be an integer >= 0');
    }
    this.keep = options.keep ?? DEFAULT_DEAD_LETTERS_KEPT;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger.child({ component: 'memory-dead-letter' });
    this.metrics = options.metrics;
  }

  async send(message: ConsumedMessage, reason: { code: string; message: string }): Promise<void> {
    // A copy of the value: the queue gives the message's own back once the batch is committed.
    this.kept.push({ message: { ...message, value: Buffer.from(message.value) }, reason: { ...reason }, at: this.clock.now() });
    if (this.kept.length > this.keep) this.kept.splice(0, this.kept.length - this.keep);
    this.metrics.deadLettered.inc({ code: reason.code });
    const { topic, partition, offset } = message.origin;
    this.logger.warn(
      { topic, partition, offset, signal: message.signal, bytes: message.value.length, code: reason.code, reason: reason.message },
      'message dead-lettered',
    );
  }

  /** The kept dead letters, oldest first. */
  entries(): readonly DeadLetterEntry[] {
    return [...this.kept];
  }
}

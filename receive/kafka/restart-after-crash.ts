/**
 * Keeps a kafkajs consumer running after a crash kafkajs gives up on. kafkajs restarts a
 * crashed consumer only when the error is retriable; after any other — a broker answering a group
 * request with a non-retriable error, e.g. INVALID_REQUEST to a SyncGroup during a rebalance —
 * the consumer has left the group, disconnected, and stays down: the instance would go on
 * answering HTTP while consuming nothing, and in distributed mode its share of the sessions would
 * have no owner. This starts it again (connect, run: the subscriptions are kept) after a backoff
 * that doubles per consecutive failure and resets at the next successful join, until the consumer
 * is stopped. Each restart is logged and counted (`warden_errors_total{code=KAFKA_CONSUMER_RESTARTED}`).
 */
import type { Consumer } from 'kafkajs';
import { errorCode } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { Metrics } from '../../lib/metrics.js';

export interface RestartAfterCrashOptions {
  consumer: Consumer;
  /** Joins the group again and resumes delivery (connect + run with the same handler). */
  resume: () => Promise<void>;
  /** True once the consumer is being stopped: no restart then. */
  stopped: () => boolean;
  logger: Logger;
  metrics: Metrics;
  stage: string;
  backoff: { initialMs: number; maxMs: number };
}

export class RestartAfterCrash {
  private attempt = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: RestartAfterCrashOptions) {
    const { consumer } = options;
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart) this.schedule(payload.error);
    });
    consumer.on(consumer.events.GROUP_JOIN, () => {
      this.attempt = 0;
    });
  }

  /** Cancels a pending restart (the consumer is stopping). */
  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(cause: unknown): void {
    if (this.options.stopped()) return;
    const { initialMs, maxMs } = this.options.backoff;
    const delay = Math.min(initialMs * 2 ** this.attempt, maxMs);
    this.attempt++;
    this.options.metrics.errors.inc({ stage: this.options.stage, code: 'KAFKA_CONSUMER_RESTARTED' });
    this.options.logger.error(
      { code: errorCode(cause), err: String(cause), attempt: this.attempt, in_ms: delay },
      'Kafka consumer stopped after an error kafkajs does not retry; starting it again',
    );
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.options.stopped()) return;
      this.options.resume().catch((err: unknown) => this.schedule(err));
    }, delay);
    // A pending restart alone does not keep the process alive (a server's sockets do): a process
    // that forgot to stop its consumer can still exit.
    this.timer.unref();
  }
}

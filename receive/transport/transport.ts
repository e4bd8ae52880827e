/**
 * The transport contract. Kafka (kafkajs) and the in-process queue of embedded mode both
 * implement it, so the receiver and the pipeline never know which one they talk to.
 *
 * A message is one OTLP export request (ExportTraceServiceRequest or ExportLogsServiceRequest),
 * exactly as the OTel Collector's Kafka exporter writes it, keyed by session id.
 */
import type { Encoding } from '../../model/encoding.js';
import type { Signal, TransportMessage } from '../../model/message.js';

export type { Encoding };
export type { Signal, TransportMessage };

export interface MessageOrigin {
  topic: string;
  partition: number;
  /** Kafka offset as a decimal string. */
  offset: string;
}

export interface ConsumedMessage extends TransportMessage {
  origin: MessageOrigin;
  /**
   * Accepted before this process started and delivered again (the in-process queue's
   * write-ahead log after a crash): it may be stored already, whatever batch it was part of.
   */
  redelivered?: boolean;
}

export interface SendOptions {
  /**
   * A caller waits on this receipt before it acts (a hook): take it without waiting behind other
   * sends where the transport can (embedded mode: written and synced at once, in a log of its own).
   */
  atOnce?: boolean;
}

export interface TransportProducer {
  /** Resolves once the transport has accepted every message (Kafka ack / queued in memory). */
  send(messages: TransportMessage[], options?: SendOptions): Promise<void>;
  close(): Promise<void>;
}

/** What a handler can ask of the consumer while it works on a (possibly long-retried) batch. */
export interface BatchContext {
  /** Keeps group membership alive during a long retry (Kafka heartbeat; no-op in memory). */
  heartbeat(): Promise<void>;
  /** True once the consumer is stopping or lost the partition: give up retrying and reject. */
  isStale(): boolean;
}

/**
 * What a handler may return when it has done the fast part of its work (decode, detection) and
 * finishes storing the batch in the background: the consumer then moves on to the next batch at
 * once, and commits this batch's offsets only when `stored` resolves — in order, never past a
 * batch that failed. When `stored` rejects, that batch and every later one of the partition are
 * delivered again. A bounded number of batches per partition may be in flight.
 */
export interface BatchReceipt {
  stored: Promise<void>;
}

/**
 * Called with each consumed batch (messages of one partition, in offset order). When it
 * resolves without a receipt, the batch is done and its offsets may be committed; with a
 * receipt, once the receipt's `stored` resolves. When it rejects, nothing is committed and the
 * batch is delivered again.
 */
export type BatchHandler = (batch: ConsumedMessage[], ctx: BatchContext) => Promise<void | BatchReceipt>;

export interface TransportConsumer {
  start(handler: BatchHandler): Promise<void>;
  stop(): Promise<void>;
}

export interface DeadLetterSink {
  /** Records an undecodable message with its origin and the reason. */
  send(message: ConsumedMessage, reason: { code: string; message: string }): Promise<void>;
}

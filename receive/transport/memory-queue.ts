/**
 * The bounded in-process queue behind embedded mode's transport. One FIFO per signal (like one
 * single-partition topic each: `memory:traces`, `memory:logs`), offsets increasing per topic.
 * Two bounds count every message not yet handled — reserved (being written to the log),
 * queued, or in a batch being handled — so memory stays bounded: a number of messages and a
 * number of bytes; a request that does not fit is refused whole. A batch is peeked, and removed
 * only on commit (which is reported to `onCommit`, the log's cue to drop it), so a failed batch
 * is delivered again from the head.
 *
 * Sending is two steps when a log stands behind the queue: `reserve` counts the messages and
 * gives them their offsets, `publish` makes them visible to the consumer once they are durable
 * (or `cancel` gives the room back). Requests may become durable out of order — a hook's receipt,
 * written at once in a log of its own, overtakes telemetry still being written — so a published
 * message is held until every offset of its topic before it is published or cancelled: the
 * consumer sees each topic in offset order, and a committed offset never passes a message still
 * being written.
 */
import { releaseBuffer, viewsWholeBuffer } from '../../lib/release-buffer.js';
import type { ConsumedMessage, Signal, TransportMessage } from './transport.js';

export const MEMORY_TOPICS: Readonly<Record<Signal, string>> = { traces: 'memory:traces', logs: 'memory:logs' };

/** The bytes a message holds in the queue: its payload, key and headers. */
export function messageBytes(m: TransportMessage): number {
  let bytes = m.value.length + (m.key === null ? 0 : Buffer.byteLength(m.key));
  for (const [k, v] of Object.entries(m.headers ?? {})) bytes += Buffer.byteLength(k) + Buffer.byteLength(v);
  return bytes;
}

function bytesOf(messages: readonly TransportMessage[]): number {
  let bytes = 0;
  for (const m of messages) bytes += messageBytes(m);
  return bytes;
}

class Fifo<T> {
  private items: T[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }
  push(item: T): void {
    this.items.push(item);
  }
  peek(n: number, skip = 0): T[] {
    const from = this.head + skip;
    return this.items.slice(from, from + n);
  }
  drop(n: number): void {
    this.head += Math.min(n, this.length);
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}

export class MemoryQueue {
  private readonly fifos: Record<Signal, Fifo<ConsumedMessage>> = { traces: new Fifo(), logs: new Fifo() };
  private readonly nextOffset: Record<Signal, bigint> = { traces: 0n, logs: 0n };
  /** Per topic, the lowest offset reserved and neither published nor cancelled yet. */
  private readonly unsettled: Record<Signal, bigint> = { traces: 0n, logs: 0n };
  /** Per topic, offsets settled ahead of `unsettled`: the message to publish, or null when cancelled. */
  private readonly settledAhead: Record<Signal, Map<bigint, ConsumedMessage | null>> = { traces: new Map(), logs: new Map() };
  private pendingCount = 0;
  private pendingByteCount = 0;
  private nextSignal: Signal = 'traces';
  private wake: (() => void) | undefined;
  /** Called with each committed batch (after its removal). */
  onCommit: ((batch: readonly ConsumedMessage[]) => void) | undefined;

  /** `maxBytes`: bound on the bytes of all pending messages (default: none). */
  constructor(
    readonly capacity: number,
    readonly maxBytes = Number.POSITIVE_INFINITY,
  ) {}

  /** Messages reserved, queued or being handled. */
  get pending(): number {
    return this.pendingCount;
  }

  /** Bytes of the messages reserved, queued or being handled. */
  get pendingBytes(): number {
    return this.pendingByteCount;
  }

  get queued(): number {
    return this.fifos.traces.length + this.fifos.logs.length;
  }

  /** Whether these messages fit beside those pending, by count and by bytes. */
  fits(messages: readonly TransportMessage[]): boolean {
    return this.pendingCount + messages.length <= this.capacity && this.pendingByteCount + bytesOf(messages) <= this.maxBytes;
  }

  /** Counts the messages as pending and assigns their origins (the caller checked `fits`); not yet delivered. */
  reserve(messages: readonly TransportMessage[]): ConsumedMessage[] {
    const reserved = messages.map((m) => {
      const offset = this.nextOffset[m.signal]++;
      return { ...m, origin: { topic: MEMORY_TOPICS[m.signal], partition: 0, offset: offset.toString() } };
    });
    this.pendingCount += reserved.length;
    this.pendingByteCount += bytesOf(reserved);
    return reserved;
  }

  /** Makes reserved messages deliverable, each once those reserved before it in its topic are settled. */
  publish(reserved: readonly ConsumedMessage[]): void {
    for (const m of reserved) this.settle(m.signal, BigInt(m.origin.offset), m);
    this.notify();
  }

  /** Gives back the room of reserved messages that will never be published (their offsets stay unused). */
  cancel(reserved: readonly ConsumedMessage[]): void {
    this.pendingCount -= reserved.length;
    this.pendingByteCount -= bytesOf(reserved);
    for (const m of reserved) this.settle(m.signal, BigInt(m.origin.offset), null);
    this.notify();
  }

  /** Messages published but held behind an earlier offset still being written (for tests). */
  get held(): number {
    let n = 0;
    for (const signal of ['traces', 'logs'] as const) for (const m of this.settledAhead[signal].values()) if (m) n++;
    return n;
  }

  private settle(signal: Signal, offset: bigint, message: ConsumedMessage | null): void {
    if (offset !== this.unsettled[signal]) {
      this.settledAhead[signal].set(offset, message);
      return;
    }
    if (message) this.fifos[signal].push(message);
    let next = offset + 1n;
    const ahead = this.settledAhead[signal];
    while (ahead.has(next)) {
      const m = ahead.get(next)!;
      ahead.delete(next);
      if (m) this.fifos[signal].push(m);
      next++;
    }
    this.unsettled[signal] = next;
  }

  /** Appends all messages (the caller checked `fits`), assigning origins. */
  enqueue(messages: readonly TransportMessage[]): void {
    this.publish(this.reserve(messages));
  }

  /**
   * Puts back messages recovered from the log, with the origins they were given before (per
   * topic in offset order), whatever the bounds; later offsets continue after `nextOffsets`.
   */
  restore(messages: readonly ConsumedMessage[], nextOffsets: Readonly<Record<Signal, bigint>>): void {
    for (const signal of ['traces', 'logs'] as const) {
      if (nextOffsets[signal] > this.nextOffset[signal]) this.nextOffset[signal] = nextOffsets[signal];
    }
    for (const m of messages) {
      const next = BigInt(m.origin.offset) + 1n;
      if (next > this.nextOffset[m.signal]) this.nextOffset[m.signal] = next;
    }
    this.pendingCount += messages.length;
    this.pendingByteCount += bytesOf(messages);
    // Recovered messages have gaps (offsets never written, or already committed): they go in as
    // they are, and offsets reserved from now on settle after them.
    for (const m of messages) this.fifos[m.signal].push(m);
    for (const signal of ['traces', 'logs'] as const) this.unsettled[signal] = this.nextOffset[signal];
    this.notify();
  }

  /**
   * The next batch (one topic, offset order), alternating topics; empty when nothing is queued.
   * `skip` says how many messages at the head of each topic are already in flight.
   */
  peekBatch(max: number, skip: Readonly<Record<Signal, number>> = { traces: 0, logs: 0 }): ConsumedMessage[] {
    for (let i = 0; i < 2; i++) {
      const signal = this.nextSignal;
      this.nextSignal = signal === 'traces' ? 'logs' : 'traces';
      if (this.fifos[signal].length > skip[signal]) return this.fifos[signal].peek(max, skip[signal]);
    }
    return [];
  }

  /** Messages of a topic waiting beyond those in flight. */
  queuedBeyond(skip: Readonly<Record<Signal, number>>): number {
    return Math.max(0, this.fifos.traces.length - skip.traces) + Math.max(0, this.fifos.logs.length - skip.logs);
  }

  /**
   * Removes a batch returned by peekBatch (it was handled), and gives back the memory of each
   * value that is the whole of a buffer (a request's body): the queue took it at `send` and it is
   * read no more. Left to the collector, these bodies — held until stored, long enough to be
   * promoted — started full collections for external memory (lib/release-buffer.ts).
   */
  commit(batch: ConsumedMessage[]): void {
    if (batch.length === 0) return;
    this.fifos[batch[0]!.signal].drop(batch.length);
    this.pendingCount -= batch.length;
    this.pendingByteCount -= bytesOf(batch);
    this.onCommit?.(batch);
    for (const m of batch) if (viewsWholeBuffer(m.value)) releaseBuffer(m.value);
  }

  /** Resolves when a message is enqueued or `notify()` is called. */
  waitForMessages(skip: Readonly<Record<Signal, number>> = { traces: 0, logs: 0 }): Promise<void> {
    if (this.queuedBeyond(skip) > 0) return Promise.resolve();
    return new Promise((resolve) => {
      const previous = this.wake;
      this.wake = () => {
        previous?.();
        resolve();
      };
    });
  }

  notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

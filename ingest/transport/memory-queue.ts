/**
 * The bounded in-process queue behind embedded mode's transport. One FIFO per signal (like one
 * single-partition topic each: `memory:traces`, `memory:logs`), offsets increasing per topic.
 * Capacity counts every message not yet handled, queued or in a batch being handled, so memory
 * stays bounded; an enqueue that does not fit is refused whole. A batch is peeked, and removed
 * only on commit, so a failed batch is delivered again from the head.
 */
import type { ConsumedMessage, Signal, TransportMessage } from './transport.js';

export const MEMORY_TOPICS: Readonly<Record<Signal, string>> = { traces: 'memory:traces', logs: 'memory:logs' };

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
  private pendingCount = 0;
  private nextSignal: Signal = 'traces';
  private wake: (() => void) | undefined;

  constructor(readonly capacity: number) {}

  /** Messages queued or being handled. */
  get pending(): number {
    return this.pendingCount;
  }

  get queued(): number {
    return this.fifos.traces.length + this.fifos.logs.length;
  }

  fits(count: number): boolean {
    return this.pendingCount + count <= this.capacity;
  }

  /** Appends all messages (the caller checked `fits`), assigning origins. */
  enqueue(messages: TransportMessage[]): void {
    for (const m of messages) {
      const offset = this.nextOffset[m.signal]++;
      const origin = { topic: MEMORY_TOPICS[m.signal], partition: 0, offset: offset.toString() };
      this.fifos[m.signal].push({ ...m, origin });
    }
    this.pendingCount += messages.length;
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

  /** Removes a batch returned by peekBatch (it was handled). */
  commit(batch: ConsumedMessage[]): void {
    if (batch.length === 0) return;
    this.fifos[batch[0]!.signal].drop(batch.length);
    this.pendingCount -= batch.length;
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

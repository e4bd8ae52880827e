/**
 * The log's committed-offset record: per topic, the offset below which every message is stored
 * in ClickHouse (the transport commits only after ClickHouse acknowledged). A small file of two
 * 32-byte slots written alternately, each with a generation and a checksum, so a write cut short
 * by a crash leaves the other slot readable:
 *
 *   slot = u32le magic, u64le generation, u64le traces, u64le logs, u32le crc32(first 28 bytes)
 *
 * Each update is one positional write (no fsync: a process crash keeps the page cache; after a
 * power loss an older slot only makes more messages replay, and stored ones are not stored
 * twice). `sync()` makes it durable before the log deletes segments.
 *
 * The write is made on libuv's pool, one at a time; updates that come while one is under way are
 * written together next (only the newest matters). Made on the event loop's thread, a write of 32
 * bytes to a page being written back waited for that write-back: 3–11 ms, a dozen times a minute
 * under 5,000 spans/s, with every request and gate call waiting behind it.
 */
import fs from 'node:fs';
import { crc32 } from 'node:zlib';
import type { Signal } from '../transport.js';

const MAGIC = 0x57434f31; // "WCO1"
const SLOT_BYTES = 32;

export type Offsets = Record<Signal, bigint>;

export class CommittedOffsets {
  private generation: bigint;
  private readonly slot = Buffer.alloc(SLOT_BYTES);
  /** The writes under way, one after the other; never rejects (a failure goes to `onWriteError`). */
  private writing: Promise<void> = Promise.resolve();
  /** A write is queued behind the one under way: it will take the newest offsets. */
  private queued = false;
  /** Told of a write that failed (the next update tries again). */
  onWriteError: (err: unknown) => void = () => {};

  private constructor(
    private readonly fd: number,
    readonly current: Offsets,
    generation: bigint,
  ) {
    this.generation = generation;
  }

  /** Opens (or creates, mode 0600) the record and reads the newest valid slot. */
  static open(file: string): { offsets: CommittedOffsets; damaged: boolean } {
    const fd = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o600);
    const bytes = Buffer.alloc(SLOT_BYTES * 2);
    const read = fs.readSync(fd, bytes, 0, bytes.length, 0);
    let best: { generation: bigint; offsets: Offsets } | undefined;
    for (let i = 0; i < 2; i++) {
      if (read < (i + 1) * SLOT_BYTES) break;
      const slot = bytes.subarray(i * SLOT_BYTES, (i + 1) * SLOT_BYTES);
      if (slot.readUInt32LE(0) !== MAGIC || crc32(slot.subarray(0, 28)) !== slot.readUInt32LE(28)) continue;
      const generation = slot.readBigUInt64LE(4);
      if (!best || generation > best.generation) best = { generation, offsets: { traces: slot.readBigUInt64LE(12), logs: slot.readBigUInt64LE(20) } };
    }
    const damaged = read > 0 && best === undefined;
    return { offsets: new CommittedOffsets(fd, best?.offsets ?? { traces: 0n, logs: 0n }, best?.generation ?? 0n), damaged };
  }

  /** Records that every message of `signal` below `next` is stored; ignores a step back. */
  advance(signal: Signal, next: bigint): boolean {
    if (next <= this.current[signal]) return false;
    this.current[signal] = next;
    this.generation += 1n;
    if (!this.queued) {
      this.queued = true;
      this.writing = this.writing.then(() => this.writeSlot()).catch((err: unknown) => this.onWriteError(err));
    }
    return true;
  }

  /** Writes the newest offsets into the slot of their generation (the other slot keeps the one before). */
  private writeSlot(): Promise<void> {
    this.queued = false;
    this.slot.writeUInt32LE(MAGIC, 0);
    this.slot.writeBigUInt64LE(this.generation, 4);
    this.slot.writeBigUInt64LE(this.current.traces, 12);
    this.slot.writeBigUInt64LE(this.current.logs, 20);
    this.slot.writeUInt32LE(crc32(this.slot.subarray(0, 28)), 28);
    const position = Number(this.generation % 2n) * SLOT_BYTES;
    return new Promise((resolve, reject) => fs.write(this.fd, this.slot, 0, SLOT_BYTES, position, (err) => (err ? reject(err) : resolve())));
  }

  /** Makes the offsets recorded so far durable (after the writes under way). */
  async sync(): Promise<void> {
    await this.writing;
    await new Promise<void>((resolve, reject) => fs.fdatasync(this.fd, (err) => (err ? reject(err) : resolve())));
  }

  /** Finishes the writes under way and closes the file. */
  async close(): Promise<void> {
    await this.writing;
    fs.closeSync(this.fd);
  }
}

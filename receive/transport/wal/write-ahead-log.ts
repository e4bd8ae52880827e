/**
 * The write-ahead log of embedded mode's in-process queue: what makes a request answered 200
 * survive a crash before it is stored. `append` writes a request's messages (already given
 * their queue offsets) to the active segment and resolves once they are durable; appends that
 * arrive while a write and fsync are under way wait and share the next one (group commit), so
 * concurrent requests pay one fsync between them. `commit` is told each batch the transport
 * committed (stored in ClickHouse) and records the per-topic committed offset
 * (committed-offsets.ts); a segment, rolled once it passes `segmentBytes`, is deleted when every
 * message in it is committed. The log holds request bodies as received — before redaction —
 * so it keeps them no longer than needed: `idleRollMs` after a commit left everything in the
 * active segment committed, if that still holds and no write is under way, the active segment
 * too is rolled and deleted.
 *
 * `open` (at start, before the receiver opens) reads the segments and returns the messages not
 * committed yet, in offset order, for the queue to deliver again — they are decoded, judged by
 * the detectors and stored (the batch processor's first insert of a partition looks up event ids
 * already stored, so an event is not stored twice). A record torn by a crash mid-write is cut off
 * with a warning; damage elsewhere is an error (wal-segment-reader.ts). Files are created 0600,
 * the directory 0700.
 *
 * fsync policy: 'always' (default) syncs every group before acknowledging it — survives power
 * loss; 'never' only writes (the page cache survives a killed process, not a power cut). Under
 * 'always' the segment is opened for synchronized data writes (O_DSYNC, where the platform has
 * it): a group's write returns once its bytes are durable, so it is one call on libuv's thread
 * pool, not a write and then an fdatasync — the same guarantee with one hand-over fewer between
 * the pool and the event loop, each of which waits for a turn of the loop under load.
 *
 * Creating a segment is kept off the event loop's thread and off the writes' path: the next one
 * is made on libuv's pool once the active one is half full (or when an idle roll asks for it),
 * and the active one hands over to it at once. Under 'always' a segment is made with its bytes:
 * zeros written and made durable, with its directory entry, before its first record, so a
 * record overwrites bytes the file already has. A write that made the file longer had to wait,
 * to be durable, for the file system's journal to record the new length, and that journal is
 * shared with the embedded engine, whose part files keep it busy (on this machine, creating one
 * of them took up to 35–66 ms under 5,000 spans/s): a gate call's receipt waited for it. A
 * segment is made with four times what the active one holds (at least 64 KiB, at most
 * `segmentBytes`): under a steady load segments double up to that size and the zeros are one
 * more write of what is logged, off every request's path; after an idle roll they are little.
 * Zeros after the last record are the end of the log, in any segment. A segment made ahead and
 * never written goes at a clean stop or the next start.
 *
 * `atOnce`: each append is written (and synced, under 'always') on the caller's thread before
 * `append` returns, one append per write, no group. For the records a caller waits on before it
 * acts — a hook's receipt: it waits neither behind a group in flight, nor for a thread of libuv's
 * pool, nor for a turn of the event loop to learn that its write is done. Grouped with the
 * telemetry under 5,000 spans/s here, a hook's record waited p99 7.5 ms for the group before it
 * and 12.4 ms from handing its write to the pool to hearing it was done (the disk itself: p99
 * ~5 ms for such a write). The event loop is held for the write instead: p50 0.5–0.6 ms, p99
 * 3.7–5.9 ms in the same bench. Such a log is kept apart from the one the telemetry is grouped in
 * (receive/transport/memory.ts), so neither waits for the other; the queue publishes their
 * messages in offset order whichever is durable first.
 */
import fs from 'node:fs';
import path from 'node:path';
import { RetryableError, errorCode } from '../../../lib/errors.js';
import type { Logger } from '../../../lib/logger.js';
import type { Metrics } from '../../../lib/metrics.js';
import type { ConsumedMessage } from '../transport.js';
import { CommittedOffsets, type Offsets } from './committed-offsets.js';
import { encodeRecord, SEGMENT_MAGIC } from './wal-record.js';
import { scanSegment } from './wal-segment-reader.js';

export type WalFsync = 'always' | 'never';
export const WAL_FSYNC_POLICIES: readonly WalFsync[] = ['always', 'never'];
/** A segment's size: under 'always', what is written with zeros ahead of its records (see the class comment). */
export const DEFAULT_WAL_SEGMENT_BYTES = 8 * 1024 * 1024;
/** Zeros written at once while a segment is prepared. */
const ZERO_BLOCK = Buffer.alloc(1024 * 1024);
/** The least written with zeros ahead: a segment gets four times what the one before it held, at least this. */
const MIN_ZEROED_BYTES = 64 * 1024;
export const DEFAULT_WAL_IDLE_ROLL_MS = 1_000;

const STAGE = 'wal';
const SEGMENT_NAME = /^segment-(\d{12})\.wal$/;
/** Buffers per writev call (below IOV_MAX). */
const WRITEV_CHUNK = 512;
/** Synchronized data writes, where the platform has them (not Windows). */
const O_DSYNC: number | undefined = fs.constants.O_DSYNC;

export interface WriteAheadLogOptions {
  dir: string;
  fsync: WalFsync;
  /** A segment is rolled once it holds this many bytes. */
  segmentBytes?: number;
  /** How long after a commit that left the active segment fully committed it is rolled and deleted (if it still is). */
  idleRollMs?: number;
  /** Write each append on the caller's thread before `append` returns (see the class comment). */
  atOnce?: boolean;
  logger: Logger;
  metrics: Metrics;
}

export interface OpenedLog {
  log: WriteAheadLog;
  /** Messages accepted before the last stop and not committed, per topic in offset order. */
  replay: ConsumedMessage[];
  /** Per topic, the offset the queue continues from. */
  nextOffsets: Offsets;
}

interface Segment {
  file: string;
  number: number;
  /** Per topic, one past the highest offset written to it (0: none). */
  next: Offsets;
  size: number;
  /**
   * Where it hands over to the next segment, if that one is ready: under 'always', the bytes it
   * was made with (zeros ahead of its records), past which a write makes the file longer.
   */
  room: number;
}

interface PreparedSegment {
  segment: Segment;
  fd: number;
}

interface PendingAppend {
  buffers: Buffer[];
  bytes: number;
  messages: readonly ConsumedMessage[];
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class WriteAheadLog {
  private readonly segments: Segment[];
  private active: Segment;
  private fd: number;
  private pending: PendingAppend[] = [];
  private flushing: Promise<void> | undefined;
  private retiring: Promise<void> = Promise.resolve();
  private closed = false;
  private broken: unknown;
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly segmentBytes: number;
  private readonly logger: Logger;
  /** The next segment, being created or ready (prepareSpare). */
  private spare: Promise<PreparedSegment> | undefined;
  /** The next segment once it is ready. */
  private spareReady: PreparedSegment | undefined;
  /** Groups written (each with one fsync under 'always') and messages appended. */
  readonly stats = { groups: 0, appends: 0, messages: 0 };

  private constructor(
    private readonly options: WriteAheadLogOptions,
    private readonly committed: CommittedOffsets,
    segments: Segment[],
    nextNumber: number,
  ) {
    this.segmentBytes = options.segmentBytes ?? DEFAULT_WAL_SEGMENT_BYTES;
    this.logger = options.logger.child({ component: STAGE });
    this.segments = segments;
    committed.onWriteError = (err) => {
      // Not fatal: the batch is only delivered again after a restart, and not stored twice.
      this.options.metrics.errors.inc({ stage: STAGE, code: errorCode(err) });
      this.logger.warn({ err: String(err) }, 'write-ahead log: could not record a committed offset');
    };
    const created = this.createSegment(nextNumber);
    this.active = created.segment;
    this.fd = created.fd;
  }

  static open(options: WriteAheadLogOptions): OpenedLog {
    const logger = options.logger.child({ component: STAGE });
    fs.mkdirSync(options.dir, { recursive: true, mode: 0o700 });
    fs.chmodSync(options.dir, 0o700);
    const { offsets: committed, damaged } = CommittedOffsets.open(path.join(options.dir, 'committed'));
    if (damaged) logger.warn({ dir: options.dir }, 'write-ahead log: committed-offset record unreadable; every logged message is delivered again (stored ones are not stored twice)');

    const files = fs
      .readdirSync(options.dir)
      .map((name) => ({ name, match: SEGMENT_NAME.exec(name) }))
      .filter((f): f is { name: string; match: RegExpExecArray } => f.match !== null)
      .map((f) => ({ file: path.join(options.dir, f.name), number: Number(f.match[1]) }))
      .sort((a, b) => a.number - b.number);

    const replay: ConsumedMessage[] = [];
    const kept: Segment[] = [];
    const nextOffsets: Offsets = { ...committed.current };
    let bytes = 0;
    // The newest segment with records is the one a crash may have cut. Segments after it were
    // made ahead and never written — zeros after their header, or a crash part-way through making
    // them: they go.
    const lastWritten = files.findLastIndex(({ file }) => hasRecord(file));
    files.forEach(({ file, number }, i) => {
      if (i > lastWritten) {
        fs.rmSync(file, { force: true });
        return;
      }
      const scan = scanSegment(file, i === lastWritten);
      if (scan.torn) {
        logger.warn({ file, at: scan.torn.at, bytes: scan.torn.bytes, reason: scan.torn.reason }, 'write-ahead log: cut off the end of a record torn by a crash (it was never acknowledged)');
        fs.truncateSync(file, scan.goodBytes);
      }
      const segment: Segment = { file, number, next: { traces: 0n, logs: 0n }, size: scan.goodBytes, room: scan.goodBytes };
      for (const m of scan.messages) {
        const offset = BigInt(m.origin.offset);
        if (offset + 1n > segment.next[m.signal]) segment.next[m.signal] = offset + 1n;
        if (offset + 1n > nextOffsets[m.signal]) nextOffsets[m.signal] = offset + 1n;
        if (offset < committed.current[m.signal]) continue;
        // A copy: the segment's bytes are garbage once read.
        replay.push({ ...m, value: Buffer.from(m.value), redelivered: true });
        bytes += m.value.length;
      }
      if (isCommitted(segment, committed.current)) fs.rmSync(file, { force: true });
      else kept.push(segment);
    });
    replay.sort(byTopicOffset);
    if (replay.length > 0) logger.warn({ messages: replay.length, bytes }, 'write-ahead log: delivering again messages accepted before the last stop and not stored');
    const nextNumber = (files.at(-1)?.number ?? 0) + 1;
    return { log: new WriteAheadLog(options, committed, kept, nextNumber), replay, nextOffsets };
  }

  /** Resolves once the messages are written (and synced, under 'always'); rejects with a retryable error otherwise. */
  append(messages: readonly ConsumedMessage[]): Promise<void> {
    if (this.closed || this.broken !== undefined) {
      return Promise.reject(new RetryableError('TRANSPORT_UNAVAILABLE', this.closed ? 'write-ahead log is closed' : 'write-ahead log cannot be written'));
    }
    const buffers: Buffer[] = [];
    let bytes = 0;
    for (const m of messages) {
      for (const b of encodeRecord(m)) {
        buffers.push(b);
        bytes += b.length;
      }
    }
    this.stats.appends++;
    if (this.options.atOnce) return this.appendNow(buffers, bytes, messages);
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ buffers, bytes, messages, resolve, reject });
      this.flushing ??= this.flush().finally(() => (this.flushing = undefined));
    });
  }

  /** The transport committed this batch (stored in ClickHouse): records it and retires segments it completes. */
  commit(batch: readonly ConsumedMessage[]): void {
    if (this.closed || batch.length === 0) return;
    const last = batch[batch.length - 1]!;
    if (!this.committed.advance(last.signal, BigInt(last.origin.offset) + 1n)) return;
    this.retireCommitted();
    if (this.idleTimer === undefined && this.active.size > SEGMENT_MAGIC.length && isCommitted(this.active, this.committed.current)) {
      this.idleTimer = setTimeout(() => this.rollIfIdle(), this.options.idleRollMs ?? DEFAULT_WAL_IDLE_ROLL_MS);
      this.idleTimer.unref();
    }
  }

  /** Rolls the active segment when everything in it is committed and no write is under way, so it can go. */
  private rollIfIdle(): void {
    this.idleTimer = undefined;
    const idle = (): boolean => !this.closed && this.broken === undefined && this.flushing === undefined && isCommitted(this.active, this.committed.current);
    if (!idle()) return;
    const spare = this.prepareSpare();
    spare.then(
      (next) => {
        // Writes may have come while the next segment was being created: then it waits as the spare.
        if (this.spare !== spare || !idle()) return;
        this.takeOver(next);
        this.retireCommitted();
      },
      () => {}, // logged by prepareSpare
    );
  }

  /** Deletes the rolled segments whose messages are all committed (after the commit record is durable). */
  private retireCommitted(): void {
    const done = this.segments.filter((s) => isCommitted(s, this.committed.current));
    if (done.length === 0) return;
    for (const s of done) this.segments.splice(this.segments.indexOf(s), 1);
    this.retiring = this.retiring.then(async () => {
      try {
        // The record that makes these segments unnecessary is durable before they go.
        await this.committed.sync();
        for (const s of done) await fs.promises.rm(s.file, { force: true });
      } catch (err) {
        this.options.metrics.errors.inc({ stage: STAGE, code: errorCode(err) });
        this.logger.warn({ err: String(err) }, 'write-ahead log: could not delete a committed segment');
      }
    });
  }

  /** Finishes the writes under way and closes the files; what is not committed stays for the next start. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.idleTimer);
    await this.flushing;
    await this.retiring;
    fs.closeSync(this.fd);
    // A segment created ahead and never used holds nothing: it goes.
    const spare = await this.spare?.catch(() => undefined);
    this.spare = undefined;
    if (spare) {
      fs.closeSync(spare.fd);
      fs.rmSync(spare.segment.file, { force: true });
    }
    await this.committed.close();
  }

  /** Resolves once the next segment, if one is being made, is ready (or failed): for tests. */
  nextSegmentSettled(): Promise<void> {
    return this.spare?.then(() => {}, () => {}) ?? Promise.resolve();
  }

  /** Segment files on disk (for tests and the operator). */
  segmentFiles(): string[] {
    return [...this.segments, this.active].map((s) => s.file);
  }

  private async flush(): Promise<void> {
    while (this.pending.length > 0) {
      const group = this.pending;
      this.pending = [];
      if (this.broken !== undefined) {
        for (const a of group) a.reject(new RetryableError('TRANSPORT_UNAVAILABLE', 'write-ahead log cannot be written'));
        continue;
      }
      await this.makeRoom(group.reduce((n, a) => n + a.bytes, 0), true);
      const start = this.active.size;
      const began = performance.now();
      try {
        await writeAll(this.fd, group.flatMap((a) => a.buffers), start);
        if (this.options.fsync === 'always' && O_DSYNC === undefined) await datasync(this.fd);
        this.options.metrics.walSyncSeconds.observe((performance.now() - began) / 1000);
      } catch (err) {
        const refusal = this.failWrite(start, err);
        for (const a of group) a.reject(refusal);
        continue;
      }
      this.stats.groups++;
      for (const a of group) this.written(a.bytes, a.messages);
      for (const a of group) a.resolve();
    }
  }

  /** An append of an `atOnce` log: written, and synced under 'always', before this returns. */
  private appendNow(buffers: Buffer[], bytes: number, messages: readonly ConsumedMessage[]): Promise<void> {
    void this.makeRoom(bytes, false);
    const start = this.active.size;
    const began = performance.now();
    try {
      writeAllNow(this.fd, buffers, start);
      if (this.options.fsync === 'always' && O_DSYNC === undefined) fs.fdatasyncSync(this.fd);
    } catch (err) {
      return Promise.reject(this.failWrite(start, err));
    }
    this.options.metrics.walSyncSeconds.observe((performance.now() - began) / 1000);
    this.stats.groups++;
    this.written(bytes, messages);
    return Promise.resolve();
  }

  /** Counts an append's bytes and messages into the active segment once they are written. */
  private written(bytes: number, messages: readonly ConsumedMessage[]): void {
    this.active.size += bytes;
    for (const m of messages) {
      const next = BigInt(m.origin.offset) + 1n;
      if (next > this.active.next[m.signal]) this.active.next[m.signal] = next;
    }
    this.stats.messages += messages.length;
  }

  /** A write failed: cuts it off and returns the refusal for its requests. */
  private failWrite(start: number, err: unknown): RetryableError {
    this.options.metrics.errors.inc({ stage: STAGE, code: errorCode(err) });
    this.logger.error({ err: String(err), file: this.active.file }, 'write-ahead log: write failed; the requests are refused (retryable)');
    try {
      // Nothing of a failed group may stay in the file: later records would follow a torn one.
      fs.ftruncateSync(this.fd, start);
    } catch (truncateErr) {
      this.broken = truncateErr;
      this.logger.error({ err: String(truncateErr) }, 'write-ahead log: could not cut off a failed write; refusing every request until restart');
    }
    return new RetryableError('TRANSPORT_UNAVAILABLE', `could not write the write-ahead log: ${String(err)}`, { cause: err });
  }

  /**
   * The next segment, created ahead on libuv's pool (see the class comment): started once the
   * active one is half full, or by an idle roll; one at a time.
   */
  private prepareSpare(): Promise<PreparedSegment> {
    if (this.spare) return this.spare;
    // Four times what the active segment holds: twice its room when it is half full (so segments
    // grow to `segmentBytes` under a steady load), and little after an idle roll (a few agents do
    // not write megabytes of zeros for every quiet second).
    const zeroed = Math.min(this.segmentBytes, Math.max(MIN_ZEROED_BYTES, 4 * (this.active.size - SEGMENT_MAGIC.length)));
    const spare = this.createSegmentAsync(this.active.number + 1, zeroed);
    this.spare = spare;
    spare.then(
      (ready) => {
        if (this.spare === spare) this.spareReady = ready;
      },
      () => {},
    );
    spare.catch((err: unknown) => {
      if (this.spare === spare) this.spare = undefined;
      this.options.metrics.errors.inc({ stage: STAGE, code: errorCode(err) });
      this.logger.warn({ err: String(err) }, 'write-ahead log: could not create the next segment; the active one goes on');
    });
    return spare;
  }

  /**
   * Before a group of `bytes` is written: past half of the active segment's room the next one is
   * prepared; a group that does not fit goes to the next one if it is ready, else past the room
   * (a write that makes the file longer); past `segmentBytes` the next one is waited for — unless
   * the caller cannot wait (an `atOnce` log): then past `segmentBytes` too, the next one on its way.
   */
  private makeRoom(bytes: number, canWait: boolean): Promise<void> | void {
    const { size, room } = this.active;
    if (size > SEGMENT_MAGIC.length && size + bytes > room) {
      if (this.spareReady) return this.takeOver(this.spareReady);
      if (canWait && size >= this.segmentBytes) return this.rollFull();
    }
    if (size >= room / 2) void this.prepareSpare().catch(() => {});
  }

  /** The active segment is full: the next one takes over (waiting for it if it is not ready yet). */
  private async rollFull(): Promise<void> {
    const spare = this.prepareSpare();
    let next: PreparedSegment;
    try {
      next = await spare;
    } catch {
      return; // logged by prepareSpare; the group goes to the active segment, and a later one tries again
    }
    if (this.spare === spare) this.takeOver(next);
  }

  /** Makes the prepared segment the active one; the old one joins the rolled segments. */
  private takeOver(next: PreparedSegment): void {
    this.spare = undefined;
    this.spareReady = undefined;
    const old = this.fd;
    this.segments.push(this.active);
    this.active = next.segment;
    this.fd = next.fd;
    fs.close(old, (err) => {
      if (err) this.logger.warn({ err: String(err) }, 'write-ahead log: could not close a rolled segment');
    });
  }

  /** Creates a segment with its header, durable with its directory entry before it is used; nothing on the event loop's thread. */
  private async createSegmentAsync(number: number, zeroed: number): Promise<PreparedSegment> {
    const file = path.join(this.options.dir, `segment-${String(number).padStart(12, '0')}.wal`);
    const always = this.options.fsync === 'always';
    const synchronized = always && O_DSYNC !== undefined ? O_DSYNC : 0;
    const fd = await promisified<number>((done) => fs.open(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | synchronized, 0o600, done));
    try {
      if (always) {
        // Zeros first, through a descriptor of their own without O_DSYNC: written in blocks and
        // made durable at once, length and all; then the header, on the segment's own.
        const zeroFd = await promisified<number>((done) => fs.open(file, fs.constants.O_WRONLY, done));
        try {
          for (let at = SEGMENT_MAGIC.length; at < zeroed; at += ZERO_BLOCK.length) {
            await writeAll(zeroFd, [ZERO_BLOCK.subarray(0, Math.min(ZERO_BLOCK.length, zeroed - at))], at);
          }
          await writeAll(zeroFd, [SEGMENT_MAGIC], 0);
          await datasync(zeroFd);
        } finally {
          fs.close(zeroFd, () => {});
        }
        await syncDirectoryOffThread(this.options.dir);
      } else {
        await writeAll(fd, [SEGMENT_MAGIC], 0);
      }
    } catch (err) {
      fs.close(fd, () => {});
      await fs.promises.rm(file, { force: true }).catch(() => {});
      throw err;
    }
    return { segment: { file, number, next: { traces: 0n, logs: 0n }, size: SEGMENT_MAGIC.length, room: always ? zeroed : this.segmentBytes }, fd };
  }

  private createSegment(number: number): { segment: Segment; fd: number } {
    const file = path.join(this.options.dir, `segment-${String(number).padStart(12, '0')}.wal`);
    const synchronized = this.options.fsync === 'always' && O_DSYNC !== undefined ? O_DSYNC : 0;
    const fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | synchronized, 0o600);
    fs.writeSync(fd, SEGMENT_MAGIC, 0, SEGMENT_MAGIC.length, 0);
    if (this.options.fsync === 'always') {
      if (synchronized === 0) fs.fdatasyncSync(fd);
      syncDirectory(this.options.dir);
    }
    // The first segment is not made ahead: under 'always' it hands over early to one that is.
    const room = this.options.fsync === 'always' ? Math.min(MIN_ZEROED_BYTES, this.segmentBytes) : this.segmentBytes;
    return { segment: { file, number, next: { traces: 0n, logs: 0n }, size: SEGMENT_MAGIC.length, room }, fd };
  }
}

/** Whether a segment file holds a record (a record's length is never 0; a segment made ahead holds zeros there). */
function hasRecord(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const length = Buffer.alloc(4);
    return fs.readSync(fd, length, 0, 4, SEGMENT_MAGIC.length) === 4 && length.readUInt32LE(0) !== 0;
  } finally {
    fs.closeSync(fd);
  }
}

function isCommitted(segment: Segment, committed: Readonly<Offsets>): boolean {
  return segment.next.traces <= committed.traces && segment.next.logs <= committed.logs;
}

export function byTopicOffset(a: ConsumedMessage, b: ConsumedMessage): number {
  if (a.signal !== b.signal) return a.signal < b.signal ? -1 : 1;
  const d = BigInt(a.origin.offset) - BigInt(b.origin.offset);
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

function syncDirectory(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** A callback-style fs call as a promise (numeric descriptors, as the rest of this file uses). */
function promisified<T>(call: (done: (err: NodeJS.ErrnoException | null, value: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => call((err, value) => (err ? reject(err) : resolve(value))));
}

/** `syncDirectory` on libuv's pool. */
async function syncDirectoryOffThread(dir: string): Promise<void> {
  const fd = await promisified<number>((done) => fs.open(dir, 'r', done));
  try {
    await promisified<void>((done) => fs.fsync(fd, done));
  } finally {
    fs.close(fd, () => {});
  }
}

function datasync(fd: number): Promise<void> {
  return promisified<void>((done) => fs.fdatasync(fd, done));
}

/** Writes every buffer at `position`, going on after partial writes. */
async function writeAll(fd: number, buffers: Buffer[], position: number): Promise<void> {
  let queue = buffers;
  let at = position;
  while (queue.length > 0) {
    const chunk = queue.slice(0, WRITEV_CHUNK);
    const written = await new Promise<number>((resolve, reject) => fs.writev(fd, chunk, at, (err, n) => (err ? reject(err) : resolve(n))));
    at += written;
    queue = unwritten(queue, chunk, written);
  }
}

/** `writeAll` on the caller's thread. */
function writeAllNow(fd: number, buffers: Buffer[], position: number): void {
  let queue = buffers;
  let at = position;
  while (queue.length > 0) {
    const chunk = queue.slice(0, WRITEV_CHUNK);
    const written = fs.writevSync(fd, chunk, at);
    at += written;
    queue = unwritten(queue, chunk, written);
  }
}

/** What is left of `queue` once `written` bytes of its first `chunk` went out. */
function unwritten(queue: Buffer[], chunk: Buffer[], written: number): Buffer[] {
  if (written === chunk.reduce((n, b) => n + b.length, 0)) return queue.slice(chunk.length);
  if (written === 0) throw new Error('write made no progress');
  // Partial write: drop what went out and continue with the rest.
  let skip = written;
  const rest: Buffer[] = [];
  for (const b of queue) {
    if (skip >= b.length) {
      skip -= b.length;
      continue;
    }
    rest.push(skip > 0 ? b.subarray(skip) : b);
    skip = 0;
  }
  return rest;
}

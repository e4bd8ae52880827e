/**
 * The in-process transport with its write-ahead log, over real files in a temporary directory:
 * what was accepted and not committed is delivered again by the next transport on the same
 * directory (a crash is a transport that is never closed), committed messages are not, segments
 * go once committed, concurrent sends share one fsync, a torn last record is cut off with a
 * warning, damage in the middle stops the start with instructions, and files are private. A send
 * marked `atOnce` is written before `send` returns, in a log of its own, and delivered in offset
 * order with the rest, before and after a crash.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { WardenError } from '../../../lib/errors.js';
import { silentLogger, type Logger } from '../../../lib/logger.js';
import { Metrics } from '../../../lib/metrics.js';
import { AT_ONCE_DIR, createMemoryTransport, type MemoryTransportOptions } from '../memory.js';
import type { ConsumedMessage, Signal, TransportMessage } from '../transport.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-wal-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function msg(signal: Signal, n: number, extra: Partial<TransportMessage> = {}): TransportMessage {
  return { signal, encoding: 'otlp_proto', key: `session-${n % 3}`, value: Buffer.from(`payload #${n} `.repeat(n + 1)), ...extra };
}

function recordingLogger(lines: Array<{ obj: unknown; msg: string | undefined }>): Logger {
  const logger: Logger = {
    debug: () => {},
    info: () => {},
    warn: (obj, msg) => void lines.push({ obj, msg }),
    error: (obj, msg) => void lines.push({ obj, msg }),
    child: () => logger,
  };
  return logger;
}

function open(overrides: Partial<MemoryTransportOptions> = {}, wal: Partial<NonNullable<MemoryTransportOptions['wal']>> = {}) {
  const metrics = new Metrics();
  const t = createMemoryTransport({ capacity: 1_000, logger: silentLogger, metrics, retryBackoff: { initialMs: 5, maxMs: 20 }, wal: { dir, fsync: 'always', ...wal }, ...overrides });
  return { ...t, metrics };
}

/** Consumes until `count` messages were handled (and committed), then stops. */
async function consume(t: ReturnType<typeof open>, count: number): Promise<ConsumedMessage[]> {
  const got: ConsumedMessage[] = [];
  let done!: () => void;
  const all = new Promise<void>((resolve) => (done = resolve));
  if (count === 0) done();
  await t.consumer.start(async (batch) => {
    got.push(...batch);
    if (got.length >= count) done();
  });
  await all;
  await t.consumer.stop();
  return got;
}

function segments(): string[] {
  return fs.readdirSync(dir).filter((f) => f.startsWith('segment-')).sort();
}

function lastSegment(): string {
  return path.join(dir, segments().at(-1)!);
}

const atOnceDir = (): string => path.join(dir, AT_ONCE_DIR);

/** The bytes of every segment of the `atOnce` log. */
function atOnceBytes(): Buffer {
  if (!fs.existsSync(atOnceDir())) return Buffer.alloc(0);
  return Buffer.concat(fs.readdirSync(atOnceDir()).filter((f) => f.startsWith('segment-')).sort().map((f) => fs.readFileSync(path.join(atOnceDir(), f))));
}

describe('write-ahead log of the in-process transport', () => {
  it('delivers again, after a crash, every accepted message not committed: same signal, key, encoding, headers, bytes and offset', async () => {
    const first = open();
    const sent = [msg('traces', 0, { headers: { 'x-tenant': 'acme' } }), msg('logs', 1, { encoding: 'otlp_json', key: null }), msg('traces', 2)];
    await first.producer.send(sent.slice(0, 2));
    await first.producer.send(sent.slice(2));
    // Crash: the first transport is never stopped or closed.

    const second = open();
    const replayed = await consume(second, 3);
    const view = (m: TransportMessage & Partial<ConsumedMessage>) => ({ signal: m.signal, encoding: m.encoding, key: m.key, headers: m.headers, value: m.value.toString('base64') });
    assert.deepEqual(replayed.map(view).sort((a, b) => a.value.localeCompare(b.value)), sent.map(view).sort((a, b) => a.value.localeCompare(b.value)));
    assert.deepEqual(replayed.filter((m) => m.signal === 'traces').map((m) => m.origin.offset), ['0', '1']);
    assert.deepEqual(replayed.filter((m) => m.signal === 'logs').map((m) => m.origin.offset), ['0']);

    // Offsets go on after the replayed ones, and nothing committed is delivered a third time.
    await second.producer.send([msg('traces', 3)]);
    const after = await consume(open(), 1);
    assert.deepEqual(after.map((m) => [m.signal, m.origin.offset]), [['traces', '2']]);
    await second.close();
  });

  it('times each group it writes and syncs (warden_wal_sync_seconds): one observation per group, none for a refused write', async () => {
    const t = open();
    await t.producer.send([msg('traces', 0)]);
    await Promise.all([t.producer.send([msg('traces', 1)]), t.producer.send([msg('logs', 2)])]);
    const groups = (await t.metrics.walSyncSeconds.get()).values.find((v) => v.metricName === 'warden_wal_sync_seconds_count')?.value ?? 0;
    assert.ok(groups >= 2 && groups <= 3, `two or three groups written (${groups}): the first send, then the two together or apart`);
    await t.close();
    await assert.rejects(t.producer.send([msg('traces', 3)]));
    assert.equal((await t.metrics.walSyncSeconds.get()).values.find((v) => v.metricName === 'warden_wal_sync_seconds_count')?.value, groups);
  });

  it('a clean stop leaves nothing to deliver again; committed segments are deleted', async () => {
    const t = open({}, { segmentBytes: 2_000 });
    for (let i = 0; i < 40; i++) await t.producer.send([msg(i % 2 ? 'logs' : 'traces', i)]);
    assert.ok(t.wal!.segmentFiles().length > 3, `rolled into several segments (${t.wal!.segmentFiles().length})`);
    await consume(t, 40);
    await t.close();
    assert.equal(segments().length, 1, 'only the active segment is left');

    const again = open();
    assert.deepEqual(await consume(again, 0), []);
    await again.producer.send([msg('traces', 99)]);
    const [next] = await consume(open(), 1);
    assert.equal(next!.origin.offset, '20', 'offsets continue after the committed ones even with every segment gone');
    await again.close();
  });

  it('does not keep request bodies once they are stored: an idle, fully committed active segment is rolled and deleted', async () => {
    const t = open({}, { idleRollMs: 1 });
    const secret = 'AKIAIOSFODNN7EXAMPLE-planted';
    for (let i = 0; i < 5; i++) await t.producer.send([msg('traces', i, { value: Buffer.from(`${secret} #${i}`) })]);
    const onDisk = (): boolean => segments().some((f) => fs.readFileSync(path.join(dir, f)).includes(secret));
    assert.ok(onDisk(), 'accepted and not stored: on disk');
    await t.consumer.start(async () => {});
    const deadline = Date.now() + 5_000;
    while (onDisk() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(onDisk(), false, 'stored: gone from the log');
    assert.equal(segments().length, 1);
    await t.consumer.stop();
    await t.close();
  });

  it('concurrent sends share one write and fsync (group commit)', async () => {
    const t = open();
    await Promise.all(Array.from({ length: 50 }, (_, i) => t.producer.send([msg('traces', i)])));
    // The first send starts a write alone; the 49 that arrive while it is being synced share the next.
    assert.equal(t.wal!.stats.appends, 50);
    assert.equal(t.wal!.stats.groups, 2);
    assert.equal(t.wal!.stats.messages, 50);
    await t.close();
  });

  // Under 'always' a group's write is its sync: the segment must be opened for synchronized data
  // writes, or an acknowledged request could be lost with the page cache. Read from the kernel's
  // own record of the open file (Linux: /proc/self/fdinfo).
  it("opens the active segment for synchronized writes under 'always', and not under 'never'", { skip: process.platform !== 'linux' && 'needs /proc/self/fdinfo (Linux)' }, async () => {
    const flagsOf = (file: string): number => {
      for (const fd of fs.readdirSync('/proc/self/fd')) {
        let target: string;
        try {
          target = fs.readlinkSync(`/proc/self/fd/${fd}`);
        } catch {
          continue;
        }
        if (target !== file) continue;
        const flags = /^flags:\s+([0-7]+)$/m.exec(fs.readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'));
        if (flags) return Number.parseInt(flags[1]!, 8);
      }
      throw new Error(`no open file descriptor for ${file}`);
    };
    const always = open();
    await always.producer.send([msg('traces', 1)]);
    assert.equal(flagsOf(lastSegment()) & fs.constants.O_DSYNC, fs.constants.O_DSYNC, "'always': O_DSYNC");
    await always.close();

    const never = open({}, { fsync: 'never' });
    await never.producer.send([msg('traces', 2)]);
    assert.equal(flagsOf(lastSegment()) & fs.constants.O_DSYNC, 0, "'never': no O_DSYNC");
    await never.close();
  });

  it('cuts off a record torn by a crash mid-write, with a warning, and replays the whole ones', async () => {
    const t = open();
    for (let i = 0; i < 3; i++) await t.producer.send([msg('traces', i)]);
    const file = lastSegment();
    const size = fs.statSync(file).size;
    fs.truncateSync(file, size - 5);

    const lines: Array<{ obj: unknown; msg: string | undefined }> = [];
    const reopened = open({ logger: recordingLogger(lines) });
    const replayed = await consume(reopened, 2);
    assert.deepEqual(replayed.map((m) => m.origin.offset), ['0', '1']);
    assert.ok(lines.some((l) => /torn by a crash/.test(l.msg ?? '')), 'a warning says a torn record was cut off');
    assert.ok(fs.statSync(file).size < size - 5, 'the torn bytes are cut from the file');
    await reopened.close();
  });

  it('creates the next segment ahead; a crash with it unused loses nothing, and a torn record before it is still only cut off', async () => {
    const t = open({}, { segmentBytes: 600 });
    for (let i = 0; i < 6; i++) await t.producer.send([msg('traces', i)]);
    await t.wal!.nextSegmentSettled();
    assert.equal(segments().length, 2, 'past half of its size, the next segment is created beside the active one');
    const [active, spare] = segments().map((f) => path.join(dir, f));
    const spareBytes = fs.readFileSync(spare!);
    assert.equal(spareBytes.length, 600, 'the next segment is created with its bytes');
    assert.ok(spareBytes.subarray(8).every((b) => b === 0), 'zeros after its header');
    // Crash mid-write of the sixth record; the spare stays as it is.
    fs.truncateSync(active!, fs.statSync(active!).size - 5);

    const lines: Array<{ obj: unknown; msg: string | undefined }> = [];
    const reopened = open({ logger: recordingLogger(lines) }, { segmentBytes: 600 });
    assert.deepEqual((await consume(reopened, 5)).map((m) => m.origin.offset), ['0', '1', '2', '3', '4']);
    assert.ok(lines.some((l) => /torn by a crash/.test(l.msg ?? '')), 'the torn record is cut off with a warning, not taken for damage');
    await reopened.close();
    assert.equal(segments().length, 1, 'the unused segment is gone');
  });

  it('a segment a crash caught while it was being made (zeros, its header not yet written) goes at the next start, and is not taken for damage', async () => {
    const t = open();
    for (let i = 0; i < 3; i++) await t.producer.send([msg('traces', i)]);
    const made = lastSegment().replace(/(\d{12})\.wal$/, (_, n: string) => `${String(Number(n) + 1).padStart(12, '0')}.wal`);
    fs.writeFileSync(made, Buffer.alloc(4096));
    const reopened = open();
    assert.deepEqual((await consume(reopened, 3)).map((m) => m.origin.offset), ['0', '1', '2']);
    assert.equal(fs.existsSync(made), false);
    await reopened.close();
  });

  it('takes zeros after the last record for the end of the log (a segment made ahead, or a power cut before the data reached the disk)', async () => {
    const t = open();
    for (let i = 0; i < 2; i++) await t.producer.send([msg('logs', i)]);
    fs.appendFileSync(lastSegment(), Buffer.alloc(300));
    const lines: Array<{ obj: unknown; msg: string | undefined }> = [];
    const reopened = open({ logger: recordingLogger(lines) });
    assert.deepEqual((await consume(reopened, 2)).map((m) => m.origin.offset), ['0', '1']);
    assert.ok(!lines.some((l) => /torn|damaged/.test(l.msg ?? '')), 'nothing cut off, nothing damaged');
    await reopened.close();
  });

  it("under 'always', records go into bytes the segment already has: a write does not make the file longer", async () => {
    const t = open({}, { segmentBytes: 600 });
    const sizes: number[] = [];
    for (let i = 0; i < 14; i++) {
      await t.producer.send([msg('traces', i)]);
      // A group that comes before the next segment is ready goes past the room instead of waiting:
      // here each waits, so every group that does not fit goes to a segment made ahead.
      await t.wal!.nextSegmentSettled();
      if (segments().length === 3) sizes.push(fs.statSync(path.join(dir, segments()[1]!)).size);
    }
    assert.ok(sizes.length >= 2, `records were written into the segment made ahead (${sizes.length})`);
    assert.ok(sizes.every((size) => size === 600), `its size stayed as made (${sizes.join(', ')})`);
    // Crash: everything written is there, and the zeros after it are the end.
    const reopened = open({}, { segmentBytes: 600 });
    assert.deepEqual((await consume(reopened, 14)).map((m) => Number(m.origin.offset)), Array.from({ length: 14 }, (_, i) => i));
    await reopened.close();
  });

  it('refuses to start on damage in the middle of the log, saying where and what to do', async () => {
    const t = open();
    for (let i = 0; i < 3; i++) await t.producer.send([msg('traces', i)]);
    const file = lastSegment();
    const bytes = fs.readFileSync(file);
    bytes[8 + 8 + 20] ^= 0xff; // inside the first record's body: its checksum no longer matches
    fs.writeFileSync(file, bytes);

    assert.throws(
      () => open(),
      (err: unknown) => err instanceof WardenError && err.code === 'WAL_CORRUPT' && err.message.includes(`truncate -s 8 '${file}'`) && /does not start/.test(err.message),
    );
  });

  it('creates its directory 0700 and its files 0600, whatever the umask', async () => {
    const previous = process.umask(0o022);
    try {
      const t = open();
      await t.producer.send([msg('traces', 1)]);
      await t.producer.send([msg('logs', 2)], { atOnce: true });
      const walk = (at: string): void => {
        for (const f of fs.readdirSync(at)) {
          const file = path.join(at, f);
          if (fs.statSync(file).isDirectory()) {
            assert.equal(fs.statSync(file).mode & 0o777, 0o700, file);
            walk(file);
          } else assert.equal(fs.statSync(file).mode & 0o777, 0o600, file);
        }
      };
      assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
      walk(dir);
      assert.ok(atOnceBytes().includes('payload #2'), 'the atOnce log was among the files checked');
      await t.close();
    } finally {
      process.umask(previous);
    }
  });

  it('a send after close is refused as retryable, and its room is given back', async () => {
    const t = open({ capacity: 10 });
    await t.close();
    await assert.rejects(t.producer.send([msg('traces', 1)]), (err: unknown) => err instanceof WardenError && err.retryable && err.code === 'TRANSPORT_UNAVAILABLE');
    assert.equal((await t.metrics.queueDepth.get()).values[0]?.value, 0);
  });

  describe('a send marked atOnce (a hook receipt an agent waits on)', () => {
    it('is written, in a log of its own, before send returns: not behind a group being written', async () => {
      const t = open();
      const grouped = t.producer.send([msg('traces', 0)]);
      const atOnce = t.producer.send([msg('logs', 1)], { atOnce: true });
      // Nothing awaited yet: the grouped write is on libuv's pool, the atOnce one is done.
      assert.ok(atOnceBytes().includes('payload #1'), 'on disk when send returned');
      assert.ok(!atOnceBytes().includes('payload #0'), 'the grouped send is not in the atOnce log');
      await Promise.all([grouped, atOnce]);
      assert.deepEqual([t.atOnceWal!.stats.appends, t.wal!.stats.appends], [1, 1]);
      await t.close();
    });

    it('is delivered in offset order with the grouped sends, although it was durable first', async () => {
      const t = open();
      const got: string[] = [];
      await t.consumer.start(async (batch) => void got.push(...batch.map((m) => `${m.signal}:${m.origin.offset}:${m.value.toString().trim().split(' ').pop()}`)));
      // logs:0 is being written on the pool when logs:1 is already durable.
      await Promise.all([t.producer.send([msg('logs', 0)]), t.producer.send([msg('logs', 1)], { atOnce: true })]);
      const deadline = Date.now() + 5_000;
      while (got.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 2));
      assert.deepEqual(got, ['logs:0:#0', 'logs:1:#1']);
      await t.consumer.stop();
      await t.close();
    });

    it('after a crash, both logs are delivered again, each topic in offset order; a clean stop then leaves neither anything to deliver', async () => {
      const first = open({}, { segmentBytes: 600 });
      const sends = 30;
      for (let i = 0; i < sends; i++) {
        const sent = [msg(i % 3 === 0 ? 'traces' : 'logs', i)];
        await (i % 2 === 0 ? first.producer.send(sent) : first.producer.send(sent, { atOnce: true }));
      }
      assert.ok(first.atOnceWal!.segmentFiles().length > 1, `the atOnce log rolled without waiting for a segment (${first.atOnceWal!.segmentFiles().length})`);
      // Crash: never stopped or closed.
      const second = open({}, { segmentBytes: 600 });
      const replayed = await consume(second, sends);
      const order = (signal: Signal): number[] => replayed.filter((m) => m.signal === signal).map((m) => Number(m.value.toString().trim().split('#').pop()));
      const all = Array.from({ length: sends }, (_, i) => i);
      assert.deepEqual(order('traces'), all.filter((i) => i % 3 === 0));
      assert.deepEqual(order('logs'), all.filter((i) => i % 3 !== 0));
      const logs = replayed.filter((m) => m.signal === 'logs').map((m) => Number(m.origin.offset));
      assert.deepEqual(logs, logs.map((_, i) => i));
      await second.producer.send([msg('logs', sends)], { atOnce: true });
      await second.close();
      const third = open();
      assert.equal((await consume(third, 1))[0]!.origin.offset, String(logs.length), 'offsets go on past both logs');
      await third.close();
      assert.deepEqual(await consume(open(), 0), []);
      assert.equal(atOnceBytes().includes('payload'), false, 'the atOnce log keeps nothing once stored');
    });
  });
});

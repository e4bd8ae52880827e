import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { PermanentError, RetryableError } from '../../lib/errors.js';
import { silentLogger } from '../../lib/logger.js';
import { Metrics } from '../../lib/metrics.js';
import { createMemoryTransport, MemoryDeadLetterSink, MEMORY_TOPICS, type MemoryTransportOptions } from './memory.js';
import type { BatchContext, ConsumedMessage, Signal, TransportMessage } from './transport.js';

// The heap is measured after a full collection (one test below).
setFlagsFromString('--expose-gc');

function msg(signal: Signal, key: string, n: number): TransportMessage {
  return { signal, encoding: 'otlp_proto', key, value: Buffer.from(`${key}#${n}`) };
}

function transport(overrides: Partial<MemoryTransportOptions> = {}) {
  const metrics = new Metrics();
  const t = createMemoryTransport({ capacity: 1_000, logger: silentLogger, metrics, retryBackoff: { initialMs: 5, maxMs: 20 }, ...overrides });
  return { ...t, metrics };
}

async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function depth(metrics: Metrics): Promise<number> {
  return (await metrics.queueDepth.get()).values[0]?.value ?? 0;
}

describe('memory transport', () => {
  it('delivers every message once, per-topic batches in offset order, one handler call at a time', async () => {
    const { producer, consumer, metrics } = transport({ maxBatchMessages: 7 });
    const sent: TransportMessage[] = [];
    for (let i = 0; i < 60; i++) sent.push(msg(i % 3 === 0 ? 'logs' : 'traces', `s${i % 5}`, i));
    for (let i = 0; i < sent.length; i += 10) await producer.send(sent.slice(i, i + 10));

    const got: ConsumedMessage[] = [];
    let active = 0;
    let maxActive = 0;
    await consumer.start(async (batch) => {
      active++;
      maxActive = Math.max(maxActive, active);
      assert.ok(batch.length > 0 && batch.length <= 7);
      assert.equal(new Set(batch.map((m) => m.origin.topic)).size, 1, 'a batch holds one topic');
      await new Promise((resolve) => setImmediate(resolve));
      got.push(...batch);
      active--;
    });
    await waitFor(() => got.length === sent.length, 'all messages');
    await consumer.stop();

    assert.equal(maxActive, 1);
    for (const signal of ['traces', 'logs'] as const) {
      const mine = got.filter((m) => m.signal === signal);
      assert.deepEqual(mine.map((m) => m.value.toString()), sent.filter((m) => m.signal === signal).map((m) => m.value.toString()));
      assert.deepEqual(mine.map((m) => m.origin.offset), mine.map((_, i) => String(i)));
      assert.ok(mine.every((m) => m.origin.topic === MEMORY_TOPICS[signal] && m.origin.partition === 0));
    }
    assert.equal(await depth(metrics), 0);
  });

  it('refuses a send that does not fit, whole, with BACKPRESSURE, and accepts again once drained', async () => {
    const { producer, consumer, metrics } = transport({ capacity: 10 });
    await producer.send([1, 2, 3, 4, 5, 6].map((i) => msg('traces', 'a', i)));
    assert.equal(await depth(metrics), 6);
    await assert.rejects(
      producer.send([7, 8, 9, 10, 11].map((i) => msg('traces', 'a', i))),
      (err: unknown) => err instanceof RetryableError && err.code === 'BACKPRESSURE',
    );
    assert.equal(await depth(metrics), 6, 'nothing of the refused send was queued');
    await assert.rejects(
      producer.send(Array.from({ length: 11 }, (_, i) => msg('logs', 'b', i))),
      (err: unknown) => err instanceof PermanentError && err.code === 'BATCH_TOO_LARGE',
    );

    const got: string[] = [];
    await consumer.start(async (batch) => void got.push(...batch.map((m) => m.value.toString())));
    await waitFor(async () => (await depth(metrics)) === 0, 'the queue to drain');
    assert.equal(got.length, 6);
    await producer.send([7, 8, 9, 10, 11].map((i) => msg('traces', 'a', i)));
    await waitFor(() => got.length === 11, 'messages sent after the drain');
    await consumer.stop();
    assert.deepEqual(got, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map((i) => `a#${i}`));
  });

  it('bounds the bytes waiting, not only the count: a few large requests fill it, and it accepts again once drained', async () => {
    const MiB = 1024 * 1024;
    const big = (i: number): TransportMessage => ({ signal: 'traces', encoding: 'otlp_proto', key: 'k', value: Buffer.alloc(MiB, i) });
    // Room for 1000 messages but 3.5 MiB: the fourth 1 MiB request is refused, retryably.
    const { producer, consumer, metrics } = transport({ capacity: 1_000, maxBytes: 3.5 * MiB });
    for (let i = 0; i < 3; i++) await producer.send([big(i)]);
    await assert.rejects(producer.send([big(3)]), (err: unknown) => err instanceof RetryableError && err.code === 'BACKPRESSURE');
    await assert.rejects(
      producer.send([big(4), big(5), big(6), big(7)]),
      (err: unknown) => err instanceof PermanentError && err.code === 'BATCH_TOO_LARGE',
      'a request larger than the whole bound can never fit',
    );
    assert.equal(await depth(metrics), 3);

    let handled = 0;
    await consumer.start(async (batch) => void (handled += batch.length));
    await waitFor(async () => (await depth(metrics)) === 0, 'the queue to drain');
    await producer.send([big(3)]);
    await waitFor(() => handled === 4, 'the request sent after the drain');
    await consumer.stop();
  });

  it('delivers a rejected batch again, same messages and offsets, until it succeeds', async () => {
    const { producer, consumer, metrics } = transport({ maxBatchMessages: 4 });
    await producer.send([0, 1, 2, 3, 4, 5].map((i) => msg('logs', 'k', i)));
    const deliveries: string[][] = [];
    let failuresLeft = 2;
    await consumer.start(async (batch) => {
      deliveries.push(batch.map((m) => m.origin.offset));
      if (batch[0]!.origin.offset === '0' && failuresLeft-- > 0) throw new RetryableError('STORAGE_UNAVAILABLE', 'down');
    });
    await waitFor(() => deliveries.length === 4, 'redeliveries');
    await consumer.stop();
    assert.deepEqual(deliveries, [['0', '1', '2', '3'], ['0', '1', '2', '3'], ['0', '1', '2', '3'], ['4', '5']]);
    const errors = (await metrics.errors.get()).values.find((v) => v.labels.code === 'STORAGE_UNAVAILABLE');
    assert.equal(errors?.value, 2);
  });

  it('with receipts, later batches are handled while earlier ones are still being stored; commits stay in order', async () => {
    const { producer, consumer, metrics } = transport({ maxBatchMessages: 2, maxInFlight: 3 });
    await producer.send([0, 1, 2, 3, 4, 5].map((i) => msg('traces', 'k', i)));
    const handled: string[] = [];
    const release: Array<() => void> = [];
    await consumer.start(async (batch) => {
      handled.push(batch[0]!.origin.offset);
      return { stored: new Promise<void>((resolve) => release.push(resolve)) };
    });
    await waitFor(() => handled.length === 3, 'three batches handed over before any is stored');
    assert.deepEqual(handled, ['0', '2', '4']);
    assert.equal(await depth(metrics), 6, 'nothing committed while stores run');
    release[1]!();
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(await depth(metrics), 6, 'a later store does not commit past an earlier one');
    release[0]!();
    await waitFor(async () => (await depth(metrics)) === 2, 'the first two batches committed');
    release[2]!();
    await waitFor(async () => (await depth(metrics)) === 0, 'all committed');
    await consumer.stop();
  });

  it('a failed store sends delivery back to that batch, and nothing after it is lost', async () => {
    const { producer, consumer } = transport({ maxBatchMessages: 2, maxInFlight: 4 });
    await producer.send([0, 1, 2, 3, 4, 5].map((i) => msg('traces', 'k', i)));
    const handled: string[] = [];
    let failed = false;
    await consumer.start(async (batch) => {
      const first = batch[0]!.origin.offset;
      handled.push(first);
      if (first === '2' && !failed) {
        failed = true;
        return { stored: Promise.reject(new RetryableError('STORAGE_UNAVAILABLE', 'down')) };
      }
      return { stored: Promise.resolve() };
    });
    await waitFor(() => handled.filter((o) => o === '4').length >= 1 && handled.filter((o) => o === '2').length === 2, 'redelivery from the failed batch');
    await consumer.stop();
    const afterFailure = handled.slice(handled.indexOf('2') + 1);
    assert.ok(afterFailure.includes('2'), `batch 2 delivered again: ${handled.join(',')}`);
    assert.equal(handled.filter((o) => o === '0').length, 1, 'the batch stored before the failure is not delivered again');
  });

  it('gives back the memory of a committed message\'s value when it is a buffer of its own, not before, and never a view of a shared one', async () => {
    const { producer, consumer } = transport({ maxBatchMessages: 1, maxInFlight: 2 });
    const own = { signal: 'traces' as const, encoding: 'otlp_json' as const, key: 'k', value: Buffer.allocUnsafeSlow(8 * 1024).fill(1) };
    const shared = Buffer.allocUnsafeSlow(8 * 1024).fill(2);
    const view = { signal: 'traces' as const, encoding: 'otlp_json' as const, key: 'k', value: shared.subarray(0, 4 * 1024) };
    const small = msg('traces', 'k', 1); // from Node's shared pool
    await producer.send([own, view, small]);
    const stores: Array<() => void> = [];
    const seen: number[] = [];
    await consumer.start(async (batch) => {
      seen.push(batch[0]!.value.length);
      return { stored: new Promise<void>((resolve) => stores.push(resolve)) };
    });
    await waitFor(() => stores.length === 2, 'two batches handed over');
    assert.equal(own.value.length, 8 * 1024, 'not released while its batch is being stored');
    stores[0]!();
    await waitFor(() => own.value.buffer.byteLength === 0, 'the committed value released');
    stores[1]!();
    await waitFor(() => stores.length === 3, 'the last batch handed over');
    stores[2]!();
    await consumer.stop();
    assert.deepEqual(seen, [8 * 1024, 4 * 1024, small.value.length], 'each batch read its value whole');
    assert.equal(shared.length, 8 * 1024, 'a value viewing part of a buffer leaves that buffer alone');
    assert.equal(small.value.toString(), 'k#1', 'so does one from the shared pool');
  });

  it('a dead letter keeps its payload after its batch is committed and the value given back', async () => {
    const { producer, consumer, metrics } = transport();
    const sink = new MemoryDeadLetterSink({ logger: silentLogger, metrics });
    const value = Buffer.allocUnsafeSlow(6 * 1024).fill(0x61);
    await producer.send([{ signal: 'logs', encoding: 'otlp_json', key: 'k', value }]);
    await consumer.start(async (batch) => sink.send(batch[0]!, { code: 'DECODE_FAILED', message: 'unreadable' }));
    await waitFor(async () => (await depth(metrics)) === 0, 'the batch committed');
    await consumer.stop();
    assert.equal(value.length, 0, 'the queue gave its value back');
    assert.equal(sink.entries()[0]!.message.value.toString(), 'a'.repeat(6 * 1024));
  });

  it('stop() drains what is queued, then the closed producer refuses sends', async () => {
    const { producer, consumer } = transport({ maxBatchMessages: 3 });
    let handled = 0;
    await consumer.start(async (batch) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      handled += batch.length;
    });
    await producer.send(Array.from({ length: 20 }, (_, i) => msg('traces', `s${i % 2}`, i)));
    await producer.close();
    await consumer.stop();
    assert.equal(handled, 20);
    await assert.rejects(producer.send([msg('traces', 'x', 0)]), (err: unknown) => err instanceof RetryableError && err.code === 'TRANSPORT_UNAVAILABLE');
  });

  it('stop() gives up on a handler that never finishes once the drain timeout passed', async () => {
    const { producer, consumer } = transport({ drainTimeoutMs: 50 });
    let seen: BatchContext | undefined;
    await consumer.start((_batch, ctx) => {
      seen = ctx;
      return new Promise<void>(() => {});
    });
    await producer.send([msg('logs', 'x', 0)]);
    await waitFor(() => seen !== undefined, 'the handler call');
    assert.equal(seen!.isStale(), false);
    await consumer.stop();
    assert.equal(seen!.isStale(), true);
  });

  it('validates its options and reports every problem', () => {
    assert.throws(
      () => createMemoryTransport({ capacity: 0, maxBatchMessages: -1, logger: silentLogger, metrics: new Metrics() }),
      (err: unknown) => err instanceof PermanentError && err.code === 'CONFIG_INVALID' && (err.details.problems as string[]).length === 2,
    );
  });

  it('holds nothing of the batches it has delivered and committed, however many (no wait on its stop left behind per batch)', async () => {
    // 20,000 batches of one message: a consumer that raced each batch against a promise settled
    // only at stop kept ~1 KB per batch (two races) until then — 20 MB here, without end in a
    // service that runs for weeks.
    const { producer, consumer, metrics } = transport({ capacity: 25_000, maxBatchMessages: 1 });
    const gc = runInNewContext('gc') as () => void;
    let delivered = 0;
    await consumer.start(async (batch) => void (delivered += batch.length));
    const send = async (n: number): Promise<void> => {
      for (let i = 0; i < n; i += 1_000) await producer.send(Array.from({ length: 1_000 }, (_, j) => msg('traces', 'a', i + j)));
      await waitFor(async () => (await depth(metrics)) === 0, 'the queue to drain', 60_000);
    };
    await send(2_000); // warm: code compiled, pools sized
    gc();
    const before = process.memoryUsage().heapUsed;
    await send(20_000);
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    await consumer.stop();
    assert.equal(delivered, 22_000);
    assert.ok(grown < 4_000_000, `the heap grew ${(grown / 1e6).toFixed(1)} MB over 20,000 committed batches`);
  });
});

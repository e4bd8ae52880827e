/**
 * The in-process queue publishes each topic in offset order, whatever order the sends became
 * durable in: a message published ahead of an earlier offset still being written waits for it,
 * and a cancelled offset lets the ones after it through.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryQueue } from './memory-queue.js';
import type { ConsumedMessage, Signal, TransportMessage } from './transport.js';

const msg = (signal: Signal, n: number): TransportMessage => ({ signal, encoding: 'otlp_json', key: null, value: Buffer.from(`#${n}`) });
const offsets = (batch: ConsumedMessage[]): string[] => batch.map((m) => `${m.signal}:${m.origin.offset}`);

describe('memory queue: publishing in offset order', () => {
  it('holds a message published before an earlier one of its topic, and delivers both in order once that one is published', () => {
    const q = new MemoryQueue(100);
    const a = q.reserve([msg('logs', 0)]);
    const b = q.reserve([msg('logs', 1)]);
    const t = q.reserve([msg('traces', 2)]);
    q.publish(b);
    q.publish(t);
    assert.equal(q.held, 1);
    assert.deepEqual(offsets(q.peekBatch(10, { traces: 1, logs: 0 })), [], 'logs:1 is not delivered before logs:0');
    assert.deepEqual(offsets(q.peekBatch(10)), ['traces:0'], 'another topic is not held');
    q.publish(a);
    assert.equal(q.held, 0);
    assert.deepEqual(offsets(q.peekBatch(10, { traces: 1, logs: 0 })), ['logs:0', 'logs:1']);
  });

  it('a cancelled offset (its write failed) lets the messages after it through', () => {
    const q = new MemoryQueue(100);
    const a = q.reserve([msg('logs', 0), msg('logs', 1)]);
    const b = q.reserve([msg('logs', 2)]);
    q.publish(b);
    assert.deepEqual(offsets(q.peekBatch(10)), []);
    q.cancel(a);
    assert.deepEqual(offsets(q.peekBatch(10)), ['logs:2']);
    assert.equal(q.pending, 1, 'the cancelled messages gave their room back');
  });

  it('after messages recovered from the log (with gaps), new ones are delivered after them without waiting for the gaps', () => {
    const q = new MemoryQueue(100);
    const recovered = [5, 7].map((offset): ConsumedMessage => ({ ...msg('logs', offset), origin: { topic: 'memory:logs', partition: 0, offset: String(offset) }, redelivered: true }));
    q.restore(recovered, { traces: 0n, logs: 8n });
    q.publish(q.reserve([msg('logs', 8)]));
    assert.deepEqual(offsets(q.peekBatch(10)), ['logs:5', 'logs:7', 'logs:8']);
  });
});

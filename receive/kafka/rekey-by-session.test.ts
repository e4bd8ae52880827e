/**
 * The re-key stage's transform, on the in-process transport (the same contract as Kafka's):
 * a message holding several sessions becomes one message per session, keyed by it, each holding
 * exactly that session's records (gzip read, headers of the original's encoding dropped, the
 * tenant kept); a message of one session goes on as it came; an undecodable one is dead-lettered
 * and the batch's receipt waits for it; a producer that fails fails the receipt (no commit).
 */
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { encodeOtlp } from '../../decode/otlp/index.js';
import { decodeMessage } from '../../decode/decode-message.js';
import type { DecodedLogRecord, DecodedRecord } from '../../decode/otlp/records.js';
import { silentLogger } from '../../lib/logger.js';
import { Metrics } from '../../lib/metrics.js';
import { createMemoryTransport } from '../transport/memory.js';
import { MemoryDeadLetterSink } from '../transport/memory-dead-letter.js';
import type { ConsumedMessage, TransportMessage, TransportProducer } from '../transport/transport.js';
import { rekeyBySession } from './rekey-by-session.js';

const sessionOf = (r: DecodedRecord): string => String(r.attributes['session.id'] ?? '');

function log(session: string, i: number): DecodedLogRecord {
  return {
    signal: 'logs',
    resource: { 'service.name': 'claude-code' },
    scope: { name: 'com.anthropic.claude_code', version: '2.0.0' },
    timeUnixNano: String(1_700_000_000_000_000_000n + BigInt(i)),
    observedTimeUnixNano: '0',
    severityNumber: 9,
    severityText: '',
    body: 'claude_code.tool_result',
    attributes: { 'session.id': session, 'event.name': 'tool_result', seq: String(i) },
    traceId: '',
    spanId: '',
    eventName: '',
  };
}

function consumed(value: Buffer, headers: Record<string, string> = {}, offset = 0): ConsumedMessage {
  return { signal: 'logs', encoding: 'otlp_proto', key: null, value, headers, origin: { topic: 'otlp_logs', partition: 0, offset: String(offset) } };
}

/** Everything a producer sent, read back through the in-process transport. */
async function sentThrough(run: (producer: TransportProducer) => Promise<void>): Promise<TransportMessage[]> {
  const metrics = new Metrics();
  const t = createMemoryTransport({ capacity: 100, logger: silentLogger, metrics });
  await run(t.producer);
  const got: TransportMessage[] = [];
  await t.consumer.start(async (batch) => void got.push(...batch));
  await new Promise((resolve) => setTimeout(resolve, 50));
  await t.consumer.stop();
  await t.close();
  return got;
}

describe('re-keying OTLP messages by session', () => {
  it('splits a message of several sessions into one per session, keyed by it, each with exactly its records', async () => {
    const records = [log('s-a', 1), log('s-b', 2), log('s-a', 3), log('', 4), log('s-c', 5)];
    const source = consumed(gzipSync(encodeOtlp('logs', records, 'otlp_proto')), { 'content-encoding': 'gzip', 'warden-tenant': 'acme', 'content-type': 'application/x-protobuf' });
    const deadLetter = new MemoryDeadLetterSink({ logger: silentLogger, metrics: new Metrics() });
    const out = await sentThrough(async (producer) => {
      const receipt = await rekeyBySession({ producer, deadLetter, sessionIdOf: sessionOf, maxDecodedBytes: 1 << 20, metrics: new Metrics() })([source], { heartbeat: async () => {}, isStale: () => false });
      await receipt?.stored;
    });
    const bySession = new Map(out.map((m) => [m.key, decodeMessage(m).map((r) => r.attributes.seq)]));
    assert.deepEqual([...bySession.keys()].sort(), [null, 's-a', 's-b', 's-c'].sort());
    assert.deepEqual(bySession.get('s-a'), ['1', '3'], 'in their order');
    assert.deepEqual(bySession.get('s-b'), ['2']);
    assert.deepEqual(bySession.get(null), ['4'], 'records without a session go together, unkeyed');
    for (const m of out) {
      assert.equal(m.headers?.['warden-tenant'], 'acme', 'the tenant travels on');
      assert.equal(m.headers?.['content-encoding'], undefined, 're-encoded: no longer gzip');
    }
    assert.deepEqual(decodeMessage(out.find((m) => m.key === 's-c')!)[0]!.resource, { 'service.name': 'claude-code' }, 'resource kept');
    assert.equal(deadLetter.entries().length, 0);
  });

  it('forwards a message of one session as it came, and dead-letters an undecodable one before the receipt resolves', async () => {
    const one = consumed(encodeOtlp('logs', [log('s-a', 1), log('s-a', 2)], 'otlp_proto'), {}, 1);
    const bad = consumed(Buffer.from([0x0a, 0xff, 0xff, 0xff]), {}, 2);
    const deadLetter = new MemoryDeadLetterSink({ logger: silentLogger, metrics: new Metrics() });
    const out = await sentThrough(async (producer) => {
      const receipt = await rekeyBySession({ producer, deadLetter, sessionIdOf: sessionOf, maxDecodedBytes: 1 << 20, metrics: new Metrics() })([one, bad], { heartbeat: async () => {}, isStale: () => false });
      await receipt?.stored;
    });
    assert.equal(out.length, 1);
    assert.equal(out[0]!.key, 's-a');
    assert.ok(out[0]!.value.equals(one.value), 'the same bytes');
    assert.equal(deadLetter.entries().length, 1);
    assert.match(deadLetter.entries()[0]!.reason.code, /^OTLP_/);
  });

  it('fails the receipt when the producer fails: the source offsets are not committed', async () => {
    const failing: TransportProducer = { send: () => Promise.reject(new Error('Kafka down')), close: async () => {} };
    const deadLetter = new MemoryDeadLetterSink({ logger: silentLogger, metrics: new Metrics() });
    const receipt = await rekeyBySession({ producer: failing, deadLetter, sessionIdOf: sessionOf, maxDecodedBytes: 1 << 20, metrics: new Metrics() })(
      [consumed(encodeOtlp('logs', [log('s-a', 1)], 'otlp_proto'))],
      { heartbeat: async () => {}, isStale: () => false },
    );
    await assert.rejects(receipt!.stored, /Kafka down/);
  });
});

/**
 * The Kafka transport's behaviour suite, run against any Kafka that speaks the protocol:
 * librdkafka's mock cluster (mock.test.ts) and a real broker in a container (container.test.ts).
 * One cluster per file (group joins are slow); each case uses its own topics and group.
 * Waits poll with a deadline; nothing here asserts on timing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { silentLogger } from '../../lib/logger.js';
import { Metrics } from '../../lib/metrics.js';
import type { KafkaTopicSpec, RunningKafka } from '../../test/infra/kafka-mock.js';
import type { BatchContext, ConsumedMessage, Signal, TransportMessage } from '../transport/transport.js';
import { KafkaDeadLetterSink, DEAD_LETTER_HEADERS } from './dead-letter.js';
import { KafkaTransportConsumer } from './consumer.js';
import { KafkaTransportProducer } from './producer.js';
import type { KafkaConsumerOptions } from './options.js';

export interface KafkaInfra {
  name: string;
  start(topics: KafkaTopicSpec[]): Promise<RunningKafka>;
  /** Whether kafkajs's idempotent producer works against these brokers. */
  idempotent: boolean;
}

const PARTITIONS = 4;
const CASES = ['order', 'retry', 'resume', 'dlq', 'rebalance'] as const;
type Case = (typeof CASES)[number];

export function topicsOf(id: string): Record<Signal, string> {
  return { traces: `${id}_spans`, logs: `${id}_logs` };
}

export function suiteTopics(): KafkaTopicSpec[] {
  return [
    ...CASES.flatMap((id) => Object.values(topicsOf(id)).map((name) => ({ name, partitions: PARTITIONS }))),
    { name: 'dlq_dead_letter', partitions: 1 },
  ];
}

export async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** `signal/key/seq`: what a test message says about itself. */
function idOf(m: { signal: Signal; value: Buffer }): string {
  const { k, i } = JSON.parse(m.value.toString()) as { k: string; i: number };
  return `${m.signal}/${k}/${i}`;
}

function messages(count: number, sessions: number, first = 0): TransportMessage[] {
  return Array.from({ length: count }, (_, n) => {
    const i = first + n;
    const k = `session-${i % sessions}`;
    const signal: Signal = i % 3 === 0 ? 'logs' : 'traces';
    return { signal, encoding: i % 2 === 0 ? 'otlp_proto' : 'otlp_json', key: k, value: Buffer.from(JSON.stringify({ k, i })), headers: { 'x-test': String(i) } };
  });
}

export function defineKafkaTransportSuite(infra: KafkaInfra): void {
  describe(`Kafka transport against ${infra.name}`, () => {
    let kafka: RunningKafka;
    let admin: Admin;
    const metrics = new Metrics();
    const common = () => ({ brokers: [kafka.bootstrap], logger: silentLogger, metrics });
    const producerFor = (id: Case) => new KafkaTransportProducer({ ...common(), topics: topicsOf(id), idempotent: infra.idempotent });
    const consumerFor = (id: Case, groupId: string, extra: Partial<KafkaConsumerOptions> = {}) =>
      new KafkaTransportConsumer({
        ...common(),
        topics: topicsOf(id),
        groupId,
        maxWaitTimeMs: 100,
        retryBackoff: { initialMs: 50, maxMs: 200 },
        // The mock waits up to the session timeout for members to rejoin after one left;
        // 6 s is also the smallest session timeout a real broker accepts by default.
        sessionTimeoutMs: 6_000,
        heartbeatIntervalMs: 1_000,
        ...extra,
      });

    /** Committed offset per `topic/partition` ('-1' when none). */
    async function committed(groupId: string, id: Case): Promise<Map<string, string>> {
      const out = new Map<string, string>();
      for (const t of await admin.fetchOffsets({ groupId, topics: Object.values(topicsOf(id)) })) {
        for (const p of t.partitions) out.set(`${t.topic}/${p.partition}`, p.offset);
      }
      return out;
    }

    async function highWatermarks(id: Case): Promise<Map<string, string>> {
      const out = new Map<string, string>();
      for (const topic of Object.values(topicsOf(id))) {
        for (const p of await admin.fetchTopicOffsets(topic)) out.set(`${topic}/${p.partition}`, p.high);
      }
      return out;
    }

    before(async () => {
      kafka = await infra.start(suiteTopics());
      admin = new Kafka({ brokers: [kafka.bootstrap], logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
    });

    after(async () => {
      await admin?.disconnect();
      await kafka?.stop();
    });

    it('delivers exactly what was produced, keyed by session, per-key order kept, encoding from header or topic', async () => {
      const producer = producerFor('order');
      await producer.ping();
      const sent = messages(1_200, 40);
      await Promise.all([0, 1, 2, 3].map((q) => producer.send(sent.slice(q * 300, (q + 1) * 300))));
      await producer.close();
      // What the OTel Collector writes: no content-type header; the topic's encoding applies.
      const collector = new Kafka({ brokers: [kafka.bootstrap], logLevel: logLevel.NOTHING }).producer();
      await collector.connect();
      await collector.send({ topic: topicsOf('order').logs, messages: [{ key: 'collector', value: Buffer.from(JSON.stringify({ k: 'collector', i: 0 })) }] });
      await collector.disconnect();

      const got: ConsumedMessage[] = [];
      const consumer = consumerFor('order', 'order-group', { encodings: { logs: 'otlp_json' } });
      await consumer.start(async (batch) => void got.push(...batch));
      await waitFor(() => got.length >= sent.length + 1, 'every message');
      await consumer.stop();

      assert.equal(got.length, sent.length + 1, 'no duplicates');
      assert.deepEqual(new Set(got.map(idOf)), new Set([...sent.map(idOf), 'logs/collector/0']));
      const bySession = new Map<string, number[]>();
      const partitionsOfSession = new Map<string, Set<string>>();
      for (const m of got) {
        const [signal, key, seq] = idOf(m).split('/') as [string, string, string];
        const name = `${signal}/${key}`;
        bySession.set(name, [...(bySession.get(name) ?? []), Number(seq)]);
        partitionsOfSession.set(name, (partitionsOfSession.get(name) ?? new Set()).add(`${m.origin.topic}/${m.origin.partition}`));
        assert.equal(m.key, key);
        if (key !== 'collector') {
          assert.equal(m.encoding, Number(seq) % 2 === 0 ? 'otlp_proto' : 'otlp_json', 'encoding from the content-type header');
          assert.equal(m.headers?.['x-test'], seq);
        }
      }
      for (const [name, seqs] of bySession) assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), `order of ${name}`);
      for (const [name, parts] of partitionsOfSession) assert.equal(parts.size, 1, `${name} on one partition`);
      assert.ok(new Set(got.map((m) => `${m.origin.topic}/${m.origin.partition}`)).size > 2, 'spread over partitions');
      assert.equal(got.find((m) => m.key === 'collector')?.encoding, 'otlp_json', 'encoding configured for the topic');
    });

    it('delivers a batch again after the handler rejected it: nothing lost, offsets committed to the end', async () => {
      const producer = producerFor('retry');
      const sent = messages(600, 25);
      for (let i = 0; i < sent.length; i += 100) await producer.send(sent.slice(i, i + 100));
      await producer.close();

      const deliveries: string[][] = [];
      const failed = new Set<string>();
      const done = new Set<string>();
      const consumer = consumerFor('retry', 'retry-group');
      await consumer.start(async (batch) => {
        const offsets = batch.map((m) => `${m.origin.topic}/${m.origin.partition}/${m.origin.offset}`);
        deliveries.push(offsets);
        const first = offsets[0]!;
        if (failed.size < 3 && !failed.has(first)) {
          failed.add(first);
          throw new Error('storage down');
        }
        for (const m of batch) done.add(idOf(m));
      });
      await waitFor(() => done.size === sent.length, 'every message handled');
      const highs = await highWatermarks('retry');
      await waitFor(async () => {
        const c = await committed('retry-group', 'retry');
        return [...highs].every(([tp, high]) => c.get(tp) === high || (high === '0' && c.get(tp) === '-1'));
      }, 'committed offsets at the high watermarks');
      await consumer.stop();

      assert.deepEqual(done, new Set(sent.map(idOf)));
      assert.equal(failed.size, 3);
      for (const first of failed) {
        const attempts = deliveries.filter((d) => d[0] === first);
        assert.ok(attempts.length >= 2, `batch at ${first} delivered again`);
        assert.deepEqual(attempts[1]!.slice(0, attempts[0]!.length), attempts[0], 'same messages redelivered');
      }
    });

    it('tells each member its partitions on every assignment: all of them first, a share after another member joins', async () => {
      const seen: { a: Array<Record<string, number[]>>; b: Array<Record<string, number[]>> } = { a: [], b: [] };
      const count = (assignment: Record<string, number[]>) => Object.values(assignment).reduce((n, ps) => n + ps.length, 0);
      const a = consumerFor('rebalance', 'rebalance-group', { onAssignment: (x) => seen.a.push(x) });
      await a.start(async () => {});
      await waitFor(() => seen.a.length >= 1, 'the first assignment');
      const all = count(seen.a[0]!);
      assert.equal(all, PARTITIONS * 2, 'both topics, every partition');
      const b = consumerFor('rebalance', 'rebalance-group', { onAssignment: (x) => seen.b.push(x) });
      await b.start(async () => {});
      await waitFor(() => seen.b.length >= 1 && seen.a.length >= 2, 'the rebalance');
      const shareA = count(seen.a.at(-1)!);
      const shareB = count(seen.b.at(-1)!);
      await b.stop();
      await a.stop();
      assert.ok(shareA > 0 && shareB > 0 && shareA + shareB === all, `a ${shareA} + b ${shareB} of ${all}`);
    });

    it('a new group member resumes at the committed offsets: exactly the unhandled messages and the abandoned batch come again', async () => {
      const producer = producerFor('resume');
      const sent = messages(480, 30);
      for (let i = 0; i < sent.length; i += 60) await producer.send(sent.slice(i, i + 60));
      await producer.close();

      const handled: ConsumedMessage[] = [];
      let inFlight: ConsumedMessage[] | undefined;
      let inFlightCtx: BatchContext | undefined;
      const first = consumerFor('resume', 'resume-group');
      await first.start(async (batch, ctx) => {
        if (handled.length === 0 || (handled.length < 150 && !inFlight)) {
          handled.push(...batch);
          return;
        }
        inFlight = batch;
        inFlightCtx = ctx;
        return new Promise<void>(() => {}); // never settles: the member is stopped meanwhile
      });
      await waitFor(() => inFlight !== undefined, 'a batch in flight');
      await first.stop();
      assert.equal(inFlightCtx!.isStale(), true, 'an abandoned batch is stale');

      const expectCommitted = new Map<string, string>();
      for (const m of handled) expectCommitted.set(`${m.origin.topic}/${m.origin.partition}`, String(BigInt(m.origin.offset) + 1n));
      const c = await committed('resume-group', 'resume');
      for (const [tp, offset] of c) assert.equal(offset, expectCommitted.get(tp) ?? '-1', `committed offset of ${tp}`);

      const again: ConsumedMessage[] = [];
      const second = consumerFor('resume', 'resume-group');
      await second.start(async (batch) => void again.push(...batch));
      const expected = new Set(sent.map(idOf));
      for (const m of handled) expected.delete(idOf(m));
      await waitFor(() => again.length >= expected.size, 'the unhandled messages');
      await second.stop();

      assert.ok(handled.length > 0 && expected.size > 0);
      assert.equal(again.length, expected.size, 'nothing delivered twice to the new member');
      assert.deepEqual(new Set(again.map(idOf)), expected, 'exactly the messages after the committed offsets');
      for (const m of inFlight!) assert.ok(expected.has(idOf(m)), 'the abandoned batch comes again');
    });

    it('dead-letters the original bytes with origin and reason headers', async () => {
      const sink = new KafkaDeadLetterSink({ ...common(), topic: 'dlq_dead_letter', idempotent: infra.idempotent, clock: { now: () => Date.UTC(2026, 0, 2), nowNs: () => 0n } });
      const original: ConsumedMessage = {
        signal: 'logs',
        encoding: 'otlp_json',
        key: 'session-9',
        value: Buffer.from([0x7b, 0xff, 0x00]),
        headers: { 'x-origin-header': 'kept' },
        origin: { topic: 'otlp_logs', partition: 3, offset: '41' },
      };
      await sink.send(original, { code: 'DECODE_FAILED', message: 'invalid JSON at byte 1' });
      await sink.close();

      const reader = new Kafka({ brokers: [kafka.bootstrap], logLevel: logLevel.NOTHING }).consumer({ groupId: 'dlq-reader', maxWaitTimeInMs: 100 });
      const read: Array<{ key: string | undefined; value: Buffer | null; headers: Record<string, string> }> = [];
      await reader.connect();
      await reader.subscribe({ topic: 'dlq_dead_letter', fromBeginning: true });
      await reader.run({
        eachMessage: async ({ message }) => {
          const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
          read.push({ key: message.key?.toString(), value: message.value, headers });
        },
      });
      await waitFor(() => read.length > 0, 'the dead letter');
      await reader.disconnect();

      const [letter] = read;
      assert.equal(letter!.key, 'session-9');
      assert.deepEqual(letter!.value, original.value);
      const h = DEAD_LETTER_HEADERS;
      assert.deepEqual(
        { ...letter!.headers },
        {
          'x-origin-header': 'kept',
          'content-type': 'application/json',
          [h.originTopic]: 'otlp_logs',
          [h.originPartition]: '3',
          [h.originOffset]: '41',
          [h.errorCode]: 'DECODE_FAILED',
          [h.errorMessage]: 'invalid JSON at byte 1',
          [h.signal]: 'logs',
          [h.encoding]: 'otlp_json',
          [h.time]: '2026-01-02T00:00:00.000Z',
        },
      );
      const counted = (await metrics.deadLettered.get()).values.find((v) => v.labels.code === 'DECODE_FAILED');
      assert.equal(counted?.value, 1);
    });
  });
}

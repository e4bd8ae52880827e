/**
 * Behaviour without a reachable broker: every operation fails fast with a retryable code, and the
 * producer's bound on unacknowledged messages answers BACKPRESSURE. Nothing listens on port 1.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { RetryableError } from '../../lib/errors.js';
import { silentLogger } from '../../lib/logger.js';
import { Metrics } from '../../lib/metrics.js';
import type { TransportMessage } from '../transport/transport.js';
import { KafkaTransportConsumer } from './consumer.js';
import { KafkaDeadLetterSink } from './dead-letter.js';
import { KafkaTransportProducer } from './producer.js';

const nowhere = { brokers: ['127.0.0.1:1'], logger: silentLogger, retries: 1, connectionTimeoutMs: 500 };
const message: TransportMessage = { signal: 'logs', encoding: 'otlp_json', key: 's', value: Buffer.from('{}') };
const unavailable = (err: unknown) => err instanceof RetryableError && err.code === 'TRANSPORT_UNAVAILABLE';

it('producer send and ping reject with TRANSPORT_UNAVAILABLE', async () => {
  const metrics = new Metrics();
  const producer = new KafkaTransportProducer({ ...nowhere, metrics });
  await assert.rejects(producer.send([message]), unavailable);
  await assert.rejects(producer.ping(), unavailable);
  await producer.close();
  await assert.rejects(producer.send([message]), unavailable);
  const counted = (await metrics.errors.get()).values.find((v) => v.labels.code === 'TRANSPORT_UNAVAILABLE');
  assert.ok((counted?.value ?? 0) >= 1);
});

it('producer answers BACKPRESSURE, all or nothing, while too many messages wait for an ack', async () => {
  const producer = new KafkaTransportProducer({ ...nowhere, metrics: new Metrics(), maxPendingMessages: 3 });
  const waiting = producer.send([message, message]);
  await assert.rejects(producer.send([message, message]), (err: unknown) => err instanceof RetryableError && err.code === 'BACKPRESSURE');
  await assert.rejects(waiting, unavailable);
  await producer.close();
});

it('consumer start and dead-letter send reject with TRANSPORT_UNAVAILABLE', async () => {
  const consumer = new KafkaTransportConsumer({ ...nowhere, metrics: new Metrics() });
  await assert.rejects(consumer.start(async () => {}), unavailable);
  await consumer.stop();
  const sink = new KafkaDeadLetterSink({ ...nowhere, metrics: new Metrics() });
  await assert.rejects(sink.send({ ...message, origin: { topic: 'otlp_logs', partition: 0, offset: '1' } }, { code: 'DECODE_FAILED', message: 'x' }), unavailable);
  await sink.close();
});

/**
 * The Kafka transport suite against librdkafka's mock cluster (real protocol, no broker), plus
 * what only the mock shows. Skips loudly when the helper cannot be built here.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RetryableError } from '../../lib/errors.js';
import { silentLogger } from '../../lib/logger.js';
import { Metrics } from '../../lib/metrics.js';
import { kafkaMockAvailable, startKafkaMock, type RunningKafka } from '../../test/infra/kafka-mock.js';
import { defineKafkaTransportSuite } from './kafka-transport.suite.js';
import { KafkaTransportProducer } from './producer.js';

const mock = kafkaMockAvailable();

if (!mock.available) {
  it('Kafka mock suite', (t) => {
    process.stderr.write(`!!! SKIPPED: Kafka mock suite — cannot build the mock cluster helper (${mock.reason})\n`);
    t.skip(mock.reason);
  });
} else {
  defineKafkaTransportSuite({ name: "librdkafka's mock cluster", start: (topics) => startKafkaMock({ topics }), idempotent: false });

  describe('Kafka producer against the mock cluster', () => {
    let kafka: RunningKafka;
    before(async () => {
      kafka = await startKafkaMock({ topics: [{ name: 'otlp_spans', partitions: 2 }, { name: 'otlp_logs', partitions: 2 }] });
    });
    after(() => kafka?.stop());

    it('idempotent produce is refused by the mock (it names no controller broker): TRANSPORT_UNAVAILABLE, not a hang', async () => {
      const producer = new KafkaTransportProducer({ brokers: [kafka.bootstrap], logger: silentLogger, metrics: new Metrics(), retries: 1, idempotent: true });
      await assert.rejects(
        producer.send([{ signal: 'traces', encoding: 'otlp_proto', key: 's', value: Buffer.from('x') }]),
        (err: unknown) => err instanceof RetryableError && err.code === 'TRANSPORT_UNAVAILABLE',
      );
      await producer.close();
    });
  });
}

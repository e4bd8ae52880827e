/**
 * The Kafka transport suite against a real broker (`apache/kafka`, KRaft) in a container, with
 * the idempotent producer on. Skips loudly when no container engine is reachable.
 */
import { it } from 'node:test';
import { probeContainerRuntime, skipBanner } from '../../test/infra/containers.js';
import { startKafkaContainer } from '../../test/infra/kafka-container.js';
import { defineKafkaTransportSuite } from './kafka-transport.suite.js';

const SUITE = 'Kafka container suite';
const runtime = await probeContainerRuntime();

if (!runtime.available) {
  it(SUITE, (t) => {
    process.stderr.write(`${skipBanner(SUITE, runtime.reason)}\n`);
    t.skip(`no container runtime (${runtime.reason})`);
  });
} else {
  defineKafkaTransportSuite({ name: 'a Kafka broker in a container', start: (topics) => startKafkaContainer({ topics }), idempotent: true });
}

import assert from 'node:assert/strict';
import { it } from 'node:test';
import { PermanentError } from '../../lib/errors.js';
import { silentLogger } from '../../lib/logger.js';
import { Metrics } from '../../lib/metrics.js';
import { KafkaTransportConsumer } from './consumer.js';
import { KafkaDeadLetterSink } from './dead-letter.js';
import { DEFAULT_TOPICS, resolveTopics } from './options.js';
import { KafkaTransportProducer } from './producer.js';

const base = { logger: silentLogger, metrics: new Metrics() };

function problemsOf(build: () => unknown): string[] {
  try {
    build();
  } catch (err) {
    assert.ok(err instanceof PermanentError);
    assert.equal(err.code, 'CONFIG_INVALID');
    return err.details.problems as string[];
  }
  assert.fail('expected CONFIG_INVALID');
}

it('producer options: every problem is reported at once', () => {
  const problems = problemsOf(
    () => new KafkaTransportProducer({ ...base, brokers: [], topics: { traces: 'same', logs: 'same' }, maxPendingMessages: 0, retries: 0 }),
  );
  assert.deepEqual(problems, [
    'brokers must be a non-empty list',
    'topics.traces and topics.logs must differ',
    'maxPendingMessages must be > 0',
    'an idempotent producer needs retries >= 1',
  ]);
});

it('consumer options: brokers must be host:port, topic names valid, heartbeat below the session timeout', () => {
  const problems = problemsOf(
    () =>
      new KafkaTransportConsumer({
        ...base,
        brokers: ['kafka'],
        groupId: ' ',
        topics: { traces: 'bad topic' },
        heartbeatIntervalMs: 10_000,
        sessionTimeoutMs: 6_000,
        retryBackoff: { initialMs: 100, maxMs: 10 },
      }),
  );
  assert.deepEqual(problems, [
    'every broker must be host:port',
    'topics.traces must be a valid topic name',
    'groupId must not be empty',
    'retryBackoff needs 0 < initialMs <= maxMs',
    'heartbeatIntervalMs must be below sessionTimeoutMs',
  ]);
});

it('dead-letter options: the topic name is checked', () => {
  assert.deepEqual(problemsOf(() => new KafkaDeadLetterSink({ ...base, brokers: ['localhost:9092'], topic: '' })), ['topic must be a valid topic name']);
});

it('valid options construct without connecting; topics default to the Collector names', async () => {
  const producer = new KafkaTransportProducer({ ...base, brokers: ['localhost:9092'] });
  await producer.close();
  assert.deepEqual(resolveTopics(undefined), DEFAULT_TOPICS);
  assert.deepEqual(resolveTopics({ logs: 'l', deadLetter: 'x' } as never), { traces: 'otlp_spans', logs: 'l' });
});

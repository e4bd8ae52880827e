import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from './config.js';
import { WardenError } from '../lib/errors.js';

test('defaults are embedded, loopback, token-free ingest only on loopback', () => {
  const config = loadConfig({});
  assert.equal(config.mode, 'embedded');
  assert.equal(config.http.host, '127.0.0.1');
  assert.equal(config.http.port, 4318);
  assert.equal(config.http.ingestRequiresToken, false);
  assert.equal(config.clickhouse.url, '');
  assert.deepEqual(config.kafka.topics, { traces: 'otlp_spans', logs: 'otlp_logs', deadLetter: 'warden_dead_letter' });
});

test('binding beyond loopback requires ingest tokens unless explicitly waived', () => {
  assert.equal(loadConfig({ WARDEN_HTTP_HOST: '0.0.0.0' }).http.ingestRequiresToken, true);
  assert.equal(loadConfig({ WARDEN_HTTP_HOST: '0.0.0.0', WARDEN_INGEST_REQUIRE_TOKEN: 'false' }).http.ingestRequiresToken, false);
});

test('KAFKA_BROKERS switches to distributed mode', () => {
  const config = loadConfig({ KAFKA_BROKERS: 'a:9092, b:9092' });
  assert.equal(config.mode, 'distributed');
  assert.deepEqual(config.kafka.brokers, ['a:9092', 'b:9092']);
});

test('every problem is reported at once', () => {
  let error: unknown;
  try {
    loadConfig({
      WARDEN_HTTP_PORT: 'eighty',
      KAFKA_BROKERS: 'nohostport',
      CLICKHOUSE_URL: 'ftp://x',
      KAFKA_ENCODING_SPANS: 'avro',
      WARDEN_TTL_DAYS: '0',
      WARDEN_INGEST_REQUIRE_TOKEN: 'maybe',
    });
  } catch (err) {
    error = err;
  }
  assert.ok(error instanceof WardenError);
  assert.equal(error.code, 'CONFIG_INVALID');
  const problems = error.details.problems as string[];
  assert.equal(problems.length, 6, problems.join('\n'));
  for (const name of ['WARDEN_HTTP_PORT', 'KAFKA_BROKERS', 'CLICKHOUSE_URL', 'KAFKA_ENCODING_SPANS', 'WARDEN_TTL_DAYS', 'WARDEN_INGEST_REQUIRE_TOKEN']) {
    assert.ok(problems.some((p) => p.includes(name)), `missing problem for ${name}`);
  }
});

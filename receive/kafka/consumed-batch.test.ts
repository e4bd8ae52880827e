import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { IHeaders, KafkaMessage } from 'kafkajs';
import { headersToStrings, headerValue, toConsumedMessages } from './consumed-batch.js';

function record(offset: string, fields: { key?: Buffer | null; value?: Buffer | null; headers?: IHeaders }): KafkaMessage {
  return { key: null, value: null, timestamp: '0', attributes: 0, offset, headers: {}, ...fields };
}

it('builds ConsumedMessages: signal from the topic, encoding from the header else the topic, origin', () => {
  const batch = {
    topic: 'otlp_logs',
    partition: 2,
    messages: [
      record('7', { key: Buffer.from('s1'), value: Buffer.from('{}'), headers: { 'Content-Type': Buffer.from('application/json') } }),
      record('8', { key: Buffer.from('s1'), value: Buffer.from([1, 2]) }),
      record('9', { key: null, value: null, headers: { 'content-type': 'text/plain' } }),
    ],
  };
  const got = toConsumedMessages(batch, { signal: 'logs', encoding: 'otlp_proto' });
  assert.deepEqual(
    got.map((m) => [m.signal, m.encoding, m.key, m.value.length, m.origin]),
    [
      ['logs', 'otlp_json', 's1', 2, { topic: 'otlp_logs', partition: 2, offset: '7' }],
      ['logs', 'otlp_proto', 's1', 2, { topic: 'otlp_logs', partition: 2, offset: '8' }],
      ['logs', 'otlp_proto', null, 0, { topic: 'otlp_logs', partition: 2, offset: '9' }],
    ],
  );
});

it('header values become strings; a repeated header keeps its first value; lookup ignores case', () => {
  const headers = headersToStrings({ a: Buffer.from('x'), b: ['1', Buffer.from('2')], c: undefined, 'Content-Type': 'application/json' });
  assert.deepEqual(headers, { a: 'x', b: '1', 'Content-Type': 'application/json' });
  assert.equal(headerValue(headers, 'content-type'), 'application/json');
  assert.equal(headerValue(headers, 'missing'), undefined);
});

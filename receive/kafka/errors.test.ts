import assert from 'node:assert/strict';
import { it } from 'node:test';
import kafkajs from 'kafkajs';
import { PermanentError, RetryableError } from '../../lib/errors.js';
import { toTransportError } from './errors.js';

// kafkajs is CommonJS and builds its exports in a way Node cannot list as named ESM exports.
const { KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError } = kafkajs;

it('an unreachable or failing broker is TRANSPORT_UNAVAILABLE (retryable), with the cause kept', () => {
  const cause = new KafkaJSConnectionError('Connection error: connect ECONNREFUSED');
  const err = toTransportError(cause, 'produce');
  assert.ok(err instanceof RetryableError);
  assert.equal(err.code, 'TRANSPORT_UNAVAILABLE');
  assert.equal(err.cause, cause);
  assert.equal(toTransportError(new KafkaJSNumberOfRetriesExceeded(cause, { retryCount: 5, retryTime: 100 }), 'produce').code, 'TRANSPORT_UNAVAILABLE');
  assert.equal(toTransportError('weird', 'produce').code, 'TRANSPORT_UNAVAILABLE');
});

it('a record the broker rejects is permanent: too large (413) or invalid (500), never the client\'s bad input', () => {
  const tooLarge = Object.assign(new KafkaJSProtocolError('The request included a message larger than the max message size'), {
    type: 'MESSAGE_TOO_LARGE',
  });
  const large = toTransportError(tooLarge, 'produce');
  assert.ok(large instanceof PermanentError);
  assert.equal(large.code, 'TRANSPORT_MESSAGE_TOO_LARGE');
  assert.equal(large.statusCode, 413);
  const corrupt = Object.assign(new KafkaJSProtocolError('This message has failed its CRC checksum'), { type: 'CORRUPT_MESSAGE' });
  const rejected = toTransportError(corrupt, 'produce');
  assert.ok(rejected instanceof PermanentError);
  assert.equal(rejected.code, 'MESSAGE_REJECTED');
  assert.equal(rejected.statusCode, 500);
});

it('Warden errors pass through unchanged', () => {
  const original = new RetryableError('BACKPRESSURE', 'full');
  assert.equal(toTransportError(original, 'produce'), original);
});

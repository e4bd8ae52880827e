/**
 * kafkajs failures -> Warden errors with stable codes. A broker that rejects the record itself is
 * permanent: retrying the same bytes fails again. A record larger than the broker takes is
 * TRANSPORT_MESSAGE_TOO_LARGE (413: the client can send smaller requests); one it finds invalid
 * or corrupt is MESSAGE_REJECTED (500: Warden wrote it, the client cannot mend it). Everything
 * else (unreachable, timed out, leader moving, retries exhausted) is TRANSPORT_UNAVAILABLE,
 * retryable. None of them is answered as the client's bad input (400).
 */
import { PermanentError, RetryableError, WardenError } from '../../lib/errors.js';

const TOO_LARGE_TYPES = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE']);
const REJECTED_RECORD_TYPES = new Set([
  'INVALID_RECORD',
  'CORRUPT_MESSAGE',
  'INVALID_REQUIRED_ACKS',
]);

interface KafkaJsErrorShape {
  name?: string;
  type?: string;
  message?: string;
  originalError?: unknown;
}

export function toTransportError(err: unknown, operation: string): WardenError {
  if (err instanceof WardenError) return err;
  const e = (typeof err === 'object' && err !== null ? err : {}) as KafkaJsErrorShape;
  const inner = (e.originalError ?? {}) as KafkaJsErrorShape;
  const type = e.type ?? inner.type;
  const message = e.message ?? String(err);
  if (type !== undefined && TOO_LARGE_TYPES.has(type)) {
    return new PermanentError('TRANSPORT_MESSAGE_TOO_LARGE', `Kafka ${operation} rejected the message as too large: ${message}`, {
      cause: err,
      details: { type },
    });
  }
  if (type !== undefined && REJECTED_RECORD_TYPES.has(type)) {
    return new PermanentError('MESSAGE_REJECTED', `Kafka ${operation} rejected: ${message}`, {
      cause: err,
      details: { type },
    });
  }
  return new RetryableError('TRANSPORT_UNAVAILABLE', `Kafka ${operation} failed: ${message}`, {
    cause: err,
    details: type === undefined ? {} : { type },
  });
}

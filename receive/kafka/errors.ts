/**
 * kafkajs failures -> Warden errors with stable codes. A broker that rejects the record itself
 * (too large, corrupt) is permanent: retrying the same bytes fails again. Everything else
 * (unreachable, timed out, leader moving, retries exhausted) is TRANSPORT_UNAVAILABLE, retryable.
 */
import { PermanentError, RetryableError, WardenError } from '../../lib/errors.js';

const REJECTED_RECORD_TYPES = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
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

/**
 * A message that stands for records the transport could not read (a Kafka batch whose
 * compression failed or whose codec is not available here): it carries the header
 * `warden.kafka.unreadable` (an error code) and `warden.kafka.unreadable_reason`. Decoding turns
 * it into that error, so it is counted and dead-lettered under its origin like any unreadable
 * message. The Kafka transport writes such placeholders (receive/kafka/unreadable-batch.ts).
 */
import { PermanentError } from '../lib/errors.js';

export const UNREADABLE_HEADER = 'warden.kafka.unreadable';
export const UNREADABLE_REASON_HEADER = 'warden.kafka.unreadable_reason';
/** The batch could not be decompressed or its records not framed. */
export const CORRUPT_CODE = 'KAFKA_BATCH_CORRUPT';
/** The batch's codec cannot be loaded on this machine. */
export const CODEC_UNAVAILABLE_CODE = 'KAFKA_CODEC_UNAVAILABLE';
export type UnreadableCode = typeof CORRUPT_CODE | typeof CODEC_UNAVAILABLE_CODE;

/** The decode stage's answer to a placeholder: undefined for any other message. */
export function unreadableBatchError(headers: Record<string, string> | undefined): PermanentError | undefined {
  const code = headers?.[UNREADABLE_HEADER];
  if (code === undefined) return undefined;
  const reason = headers?.[UNREADABLE_REASON_HEADER] ?? 'unreadable compressed Kafka batch';
  return new PermanentError(code === CODEC_UNAVAILABLE_CODE ? CODEC_UNAVAILABLE_CODE : CORRUPT_CODE, reason);
}

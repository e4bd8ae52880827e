/**
 * One transport message → decoded OTLP records. The message body is one export request
 * (traces or logs, protobuf or JSON per its encoding), gzip-compressed when its
 * `content-encoding` header says so. Throws a PermanentError when the bytes cannot be decoded,
 * and for a placeholder of a Kafka batch that could not be decompressed (its error, from its headers).
 */
import { decodeOtlp, gunzipBody } from './otlp/index.js';
import type { DecodedRecord } from './otlp/records.js';
import type { TransportMessage } from '../model/message.js';
import { unreadableBatchError } from './unreadable-message.js';

export const DEFAULT_MAX_DECODED_BYTES = 64 * 1024 * 1024;

export function decodeMessage(message: TransportMessage, maxDecodedBytes = DEFAULT_MAX_DECODED_BYTES): DecodedRecord[] {
  const unreadable = unreadableBatchError(message.headers);
  if (unreadable) throw unreadable;
  const gzipped = message.headers?.['content-encoding'] === 'gzip';
  const body = gzipped ? gunzipBody(message.value, maxDecodedBytes) : message.value;
  return decodeOtlp(message.signal, body, message.encoding, { maxBytes: maxDecodedBytes });
}

/**
 * One kafkajs batch (messages of one topic-partition, in offset order) -> ConsumedMessage[].
 * The signal comes from the topic; the encoding from the `content-type` header, else from the
 * encoding configured for the topic. A record without a value becomes an empty payload, so the
 * decoder dead-letters it instead of it vanishing silently.
 */
import type { IHeaders, KafkaMessage } from 'kafkajs';
import type { ConsumedMessage, Encoding, Signal } from '../transport/transport.js';
import { CONTENT_TYPE_HEADER, encodingOf } from './content-type.js';

export interface TopicBinding {
  signal: Signal;
  /** Encoding of messages that carry no recognised content-type header. */
  encoding: Encoding;
}

export interface RawBatch {
  topic: string;
  partition: number;
  messages: KafkaMessage[];
}

export function toConsumedMessages(batch: RawBatch, binding: TopicBinding): ConsumedMessage[] {
  return batch.messages.map((m) => {
    const headers = headersToStrings(m.headers);
    return {
      signal: binding.signal,
      encoding: encodingOf(headerValue(headers, CONTENT_TYPE_HEADER)) ?? binding.encoding,
      key: m.key === null || m.key === undefined ? null : m.key.toString('utf8'),
      value: m.value ?? Buffer.alloc(0),
      headers,
      origin: { topic: batch.topic, partition: batch.partition, offset: m.offset },
    };
  });
}

/** Header values as UTF-8 strings; a repeated header keeps its first value. */
export function headersToStrings(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  for (const [name, raw] of Object.entries(headers)) {
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (value === undefined) continue;
    out[name] = typeof value === 'string' ? value : value.toString('utf8');
  }
  return out;
}

/** Case-insensitive header lookup (Kafka header names are case-sensitive; HTTP's are not). */
export function headerValue(headers: Record<string, string>, name: string): string | undefined {
  if (headers[name] !== undefined) return headers[name];
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === wanted) return value;
  return undefined;
}

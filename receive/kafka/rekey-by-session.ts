/**
 * The first of two Kafka stages in distributed mode: OTLP messages as producers keyed them (the
 * OpenTelemetry Collector keys by trace id, by a hash of resource attributes, or not at all) →
 * the same records re-published to Warden's session topics, one message per session keyed by its
 * session id, so that every event of a session — and the gate's intents, which the hook intake
 * produces to the same topic with the same key — reaches the one instance that owns the session's
 * partition, whatever the producer did. The second stage (detection and storage) consumes the
 * session topics.
 *
 * A message is decoded (gunzipped when marked), its records grouped by session (the normalizer's
 * mapping tables say where a record's session is; records without one go together, unkeyed) and
 * each group encoded again as OTLP protobuf; a message holding one session is forwarded as it
 * came. A message that cannot be decoded goes to the dead-letter topic with its reason, as the
 * second stage would have sent it. The batch's receipt resolves once Kafka acknowledged every
 * message produced from it (and every dead letter), so the source offsets are committed only
 * after what they became is durable; a crash in between publishes the batch again, and the
 * copies are the same records: the second stage skips an event its session already saw and
 * ClickHouse keeps one row per event id. The producer's back-pressure (an unavailable Kafka)
 * holds the commit chain, which holds consumption.
 */
import { decodeMessage } from '../../decode/decode-message.js';
import type { DecodedRecord } from '../../decode/otlp/records.js';
import { encodeOtlp } from '../../decode/otlp/index.js';
import { errorCode } from '../../lib/errors.js';
import type { Metrics } from '../../lib/metrics.js';
import type { BatchHandler, ConsumedMessage, DeadLetterSink, TransportMessage, TransportProducer } from '../transport/transport.js';

export interface RekeyOptions {
  /** Produces to the session topics. */
  producer: TransportProducer;
  deadLetter: DeadLetterSink;
  /** The session of a record ('' when none), under the normalizer's mapping tables. */
  sessionIdOf: (record: DecodedRecord) => string;
  maxDecodedBytes: number;
  metrics: Metrics;
}

const STAGE = 'rekey';

/** Headers that travel on: the tenant the receiver decided, and none of the original's encoding marks. */
function carried(message: ConsumedMessage): Record<string, string> {
  const tenant = message.headers?.['warden-tenant'];
  return tenant ? { 'warden-tenant': tenant } : {};
}

/** One source message → one message per session in it (the message as is when it holds one session). */
export function messagesBySession(message: ConsumedMessage, records: readonly DecodedRecord[], sessionIdOf: (record: DecodedRecord) => string): TransportMessage[] {
  const groups = new Map<string, DecodedRecord[]>();
  for (const record of records) {
    const key = sessionIdOf(record);
    const group = groups.get(key);
    if (group) group.push(record);
    else groups.set(key, [record]);
  }
  const headers = carried(message);
  if (groups.size === 1 && message.headers?.['content-encoding'] !== 'gzip') {
    const [key] = groups.keys();
    return [{ signal: message.signal, encoding: message.encoding, key: key || null, value: message.value, headers }];
  }
  return [...groups].map(([key, group]) => ({ signal: message.signal, encoding: 'otlp_proto' as const, key: key || null, value: encodeOtlp(message.signal, group, 'otlp_proto'), headers }));
}

export function rekeyBySession(options: RekeyOptions): BatchHandler {
  const { producer, deadLetter, sessionIdOf, maxDecodedBytes, metrics } = options;
  return async (batch) => {
    const out: TransportMessage[] = [];
    const dead: Array<Promise<void>> = [];
    for (const message of batch) {
      let records: DecodedRecord[];
      try {
        records = decodeMessage(message, maxDecodedBytes);
      } catch (err) {
        const code = errorCode(err);
        metrics.errors.inc({ stage: STAGE, code });
        dead.push(deadLetter.send(message, { code, message: err instanceof Error ? err.message : String(err) }));
        continue;
      }
      if (records.length === 0) continue;
      metrics.received.inc({ stage: STAGE, signal: message.signal }, records.length);
      out.push(...messagesBySession(message, records, sessionIdOf));
    }
    const sent = out.length > 0 ? producer.send(out) : Promise.resolve();
    return {
      stored: Promise.all([sent, ...dead]).then(() => {
        for (const m of out) metrics.sent.inc({ stage: STAGE, signal: m.signal });
      }),
    };
  };
}

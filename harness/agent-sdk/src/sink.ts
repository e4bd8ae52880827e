/**
 * Where telemetry goes: one OTLP/JSON export request at a time, keyed by the session it belongs
 * to. Two kinds:
 *
 * - `httpSink`: Warden's OTLP/HTTP receiver (`/v1/traces`, `/v1/logs`) with the bearer token.
 *   Retries what may pass later (unreachable, timeout, 429, 5xx) a few times with backoff;
 *   records Warden refused (its `partialSuccess`) are an error saying how many and why.
 * - `kafkaSink`: the topics Warden consumes (`otlp_spans`, `otlp_logs` by default), one message
 *   per export keyed by the session (so one session's records stay in order on one partition),
 *   labelled `content-type: application/json`. It takes a producer the caller made (kafkajs's
 *   `producer.send` shape), so kafkajs is not a dependency of this package.
 */
import { WardenError } from './errors.js';
import { requestJson } from './http.js';

export type Signal = 'traces' | 'logs';

export interface TelemetrySink {
  /** Sends one export request; `key` is its session id ('' when it has none). Rejects with a WardenError. */
  send(signal: Signal, request: object, key: string): Promise<void>;
}

export interface HttpSinkOptions {
  url: string;
  token?: string | undefined;
  /** Per attempt; default 5000. */
  timeoutMs?: number;
  /** Attempts for a failure that may pass later; default 3. */
  attempts?: number;
  /** First wait between attempts, doubled each time; default 200. */
  backoffMs?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const PATHS: Readonly<Record<Signal, string>> = { traces: '/v1/traces', logs: '/v1/logs' };

interface PartialSuccess {
  partialSuccess?: { rejectedSpans?: string | number; rejectedLogRecords?: string | number; errorMessage?: string };
}

export function httpSink(options: HttpSinkOptions): TelemetrySink {
  const target = { url: options.url, token: options.token, timeoutMs: options.timeoutMs ?? 5000 };
  const attempts = Math.max(1, options.attempts ?? 3);
  const backoffMs = options.backoffMs ?? 200;
  return {
    async send(signal, request) {
      for (let attempt = 1; ; attempt++) {
        try {
          const answer = (await requestJson(target, 'POST', PATHS[signal], request)) as PartialSuccess;
          const partial = answer.partialSuccess;
          const rejected = Number(partial?.rejectedSpans ?? partial?.rejectedLogRecords ?? 0);
          if (rejected > 0) throw new WardenError('WARDEN_REJECTED', `Warden refused ${rejected} record(s): ${partial?.errorMessage ?? 'no reason given'}`);
          return;
        } catch (err) {
          if (!(err instanceof WardenError) || !err.retryable || attempt >= attempts) throw err;
          await sleep(backoffMs * 2 ** (attempt - 1));
        }
      }
    },
  };
}

/** The part of a kafkajs producer this package uses (`producer.send`). */
export interface KafkaProducerLike {
  send(record: { topic: string; messages: Array<{ key: string | null; value: Buffer; headers?: Record<string, string> }> }): Promise<unknown>;
}

export interface KafkaSinkOptions {
  /** A connected producer (kafkajs: `new Kafka({...}).producer()`, after `connect()`). */
  producer: KafkaProducerLike;
  /** Topics Warden consumes; default `otlp_spans` and `otlp_logs` (its KAFKA_TOPIC_SPANS / _LOGS). */
  topics?: Partial<Record<Signal, string>>;
  /** Sent as the `warden-tenant` header; without it Warden uses the resource's `warden.tenant`, else its default tenant. */
  tenant?: string;
}

export function kafkaSink(options: KafkaSinkOptions): TelemetrySink {
  const topics: Record<Signal, string> = { traces: options.topics?.traces ?? 'otlp_spans', logs: options.topics?.logs ?? 'otlp_logs' };
  return {
    async send(signal, request, key) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (options.tenant) headers['warden-tenant'] = options.tenant;
      try {
        await options.producer.send({ topic: topics[signal], messages: [{ key: key === '' ? null : key, value: Buffer.from(JSON.stringify(request)), headers }] });
      } catch (err) {
        throw new WardenError('KAFKA_SEND_FAILED', `Kafka refused the ${signal} export to ${topics[signal]}: ${(err as Error).message}`, { cause: err });
      }
    },
  };
}

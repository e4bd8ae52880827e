/**
 * OpenTelemetry SDK exporters that send to Warden: `WardenSpanExporter` (a `SpanExporter` for
 * `@opentelemetry/sdk-trace-base` 1.x and 2.x) and `WardenLogRecordExporter` (a
 * `LogRecordExporter` for `@opentelemetry/sdk-logs`). Records become OTLP/JSON (otlp-json.ts) and
 * go to a sink (sink.ts): Warden's OTLP/HTTP receiver with the token, or Kafka keyed by session.
 *
 * A record that names no session (`session.id`, `gen_ai.conversation.id`, `conversation.id`) gets
 * the exporter's `sessionId` as `session.id`, so a framework's tool spans join the harness's
 * session (Warden would otherwise file them under `trace:<trace id>`). One export request per
 * session and resource in each batch; a failed export is reported to the SDK as failed (the SDK's
 * batch processor logs it) and to `onError`.
 *
 * The SDK packages are only read for their types: both versions' field names are handled
 * (`parentSpanContext` / `parentSpanId`, `instrumentationScope` / `instrumentationLibrary`), and
 * nothing of them is loaded at run time.
 */
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { type Attributes, type Batch, type LogRecord, type SpanRecord, logsRequest, nanosOfHrTime, spanFlags, tracesRequest, type AttributeValue } from './otlp-json.js';
import { httpSink, kafkaSink, type KafkaSinkOptions, type Signal, type TelemetrySink } from './sink.js';

type ResultCallback = Parameters<SpanExporter['export']>[1];

export interface WardenExporterOptions {
  /** Warden's base URL (OTLP/HTTP), e.g. http://127.0.0.1:4318. Not needed with `kafka`. */
  url?: string;
  /** A token with the `ingest` role. */
  token?: string;
  /** Send to Kafka instead of HTTP. */
  kafka?: KafkaSinkOptions;
  /** The session records without one are filed under. */
  sessionId?: string;
  /** Per request, HTTP; default 10000. */
  timeoutMs?: number;
  /** Told of every failed export. */
  onError?: (error: Error) => void;
}

export const SESSION_KEYS = ['session.id', 'gen_ai.conversation.id', 'conversation.id'] as const;

/** The session a record names, else the fallback. */
function sessionOf(attributes: Attributes, fallback: string): string {
  for (const key of SESSION_KEYS) {
    const value = attributes[key];
    if (typeof value === 'string' && value !== '') return value;
  }
  return fallback;
}

function withSession(attributes: Attributes, sessionId: string | undefined): Attributes {
  if (!sessionId || sessionOf(attributes, '') !== '') return attributes;
  return { ...attributes, 'session.id': sessionId };
}

function sinkOf(options: WardenExporterOptions): TelemetrySink {
  if (options.kafka) return kafkaSink(options.kafka);
  if (!options.url) throw new TypeError('a Warden exporter needs `url` (OTLP/HTTP) or `kafka`');
  return httpSink({ url: options.url, token: options.token, timeoutMs: options.timeoutMs ?? 10_000 });
}

interface Grouped<R> {
  key: string;
  batch: Batch<R>;
}

/** Groups records by (session, resource, scope), keeping their order within a group. */
function group<T, R>(items: readonly T[], describe: (item: T) => { key: string; resource: object; resourceAttributes: Attributes; scope: { name: string; version?: string | undefined }; record: R }): Grouped<R>[] {
  const groups = new Map<string, Grouped<R>>();
  const resourceIds = new Map<object, number>();
  for (const item of items) {
    const d = describe(item);
    if (!resourceIds.has(d.resource)) resourceIds.set(d.resource, resourceIds.size);
    const id = `${d.key}\u0000${resourceIds.get(d.resource)}\u0000${d.scope.name}\u0000${d.scope.version ?? ''}`;
    let g = groups.get(id);
    if (!g) {
      g = { key: d.key, batch: { resource: d.resourceAttributes, scope: { name: d.scope.name, ...(d.scope.version ? { version: d.scope.version } : {}) }, records: [] } };
      groups.set(id, g);
    }
    g.batch.records.push(d.record);
  }
  return [...groups.values()];
}

/** Shared by both exporters: sends groups, tracks what is in flight, reports the result once. */
class ExportQueue {
  private readonly inFlight = new Set<Promise<void>>();
  private stopped = false;

  constructor(
    private readonly sink: TelemetrySink,
    private readonly onError: ((error: Error) => void) | undefined,
  ) {}

  export<R>(signal: Signal, groups: Grouped<R>[], toRequest: (batches: Batch<R>[]) => object, done: ResultCallback): void {
    if (this.stopped) {
      done({ code: 1, error: new Error('the Warden exporter is shut down') });
      return;
    }
    const sending = Promise.all(groups.map((g) => this.sink.send(signal, toRequest([g.batch]), g.key))).then(
      () => done({ code: 0 }),
      (err: unknown) => {
        const error = err instanceof Error ? err : new Error(String(err));
        this.onError?.(error);
        done({ code: 1, error });
      },
    );
    this.inFlight.add(sending);
    void sending.finally(() => this.inFlight.delete(sending));
  }

  async flush(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
    await this.flush();
  }
}

/** Fields that differ between sdk-trace-base 1.x and 2.x. */
interface SpanAcrossVersions {
  parentSpanContext?: { spanId?: string; isRemote?: boolean };
  parentSpanId?: string;
  instrumentationScope?: { name: string; version?: string };
  instrumentationLibrary?: { name: string; version?: string };
}

export class WardenSpanExporter implements SpanExporter {
  private readonly queue: ExportQueue;

  constructor(private readonly options: WardenExporterOptions) {
    this.queue = new ExportQueue(sinkOf(options), options.onError);
  }

  export(spans: ReadableSpan[], resultCallback: ResultCallback): void {
    const groups = group(spans, (span) => {
      const s = span as unknown as SpanAcrossVersions;
      const ctx = span.spanContext();
      const attributes = withSession(span.attributes as Attributes, this.options.sessionId);
      const record: SpanRecord = {
        traceId: ctx.traceId,
        spanId: ctx.spanId,
        parentSpanId: s.parentSpanContext?.spanId ?? s.parentSpanId ?? '',
        ...(ctx.traceState ? { traceState: ctx.traceState.serialize() } : {}),
        flags: spanFlags(ctx.traceFlags, s.parentSpanContext?.isRemote),
        name: span.name,
        kind: span.kind + 1,
        startTimeUnixNano: nanosOfHrTime(span.startTime),
        endTimeUnixNano: nanosOfHrTime(span.endTime),
        attributes,
        events: span.events.map((e) => ({ name: e.name, timeUnixNano: nanosOfHrTime(e.time), attributes: (e.attributes ?? {}) as Attributes })),
        links: span.links.map((l) => ({
          traceId: l.context.traceId,
          spanId: l.context.spanId,
          ...(l.context.traceState ? { traceState: l.context.traceState.serialize() } : {}),
          flags: spanFlags(l.context.traceFlags, l.context.isRemote),
          attributes: (l.attributes ?? {}) as Attributes,
        })),
        status: { code: span.status.code, ...(span.status.message ? { message: span.status.message } : {}) },
        droppedAttributesCount: span.droppedAttributesCount ?? 0,
      };
      const resource = span.resource as unknown as { attributes: Attributes };
      return { key: sessionOf(attributes, ''), resource, resourceAttributes: resource.attributes, scope: s.instrumentationScope ?? s.instrumentationLibrary ?? { name: '' }, record };
    });
    this.queue.export('traces', groups, tracesRequest, resultCallback);
  }

  forceFlush(): Promise<void> {
    return this.queue.flush();
  }

  shutdown(): Promise<void> {
    return this.queue.shutdown();
  }
}

export class WardenLogRecordExporter implements LogRecordExporter {
  private readonly queue: ExportQueue;

  constructor(private readonly options: WardenExporterOptions) {
    this.queue = new ExportQueue(sinkOf(options), options.onError);
  }

  export(logs: ReadableLogRecord[], resultCallback: ResultCallback): void {
    const groups = group(logs, (log) => {
      const attributes = withSession(log.attributes as Attributes, this.options.sessionId);
      const record: LogRecord = {
        timeUnixNano: nanosOfHrTime(log.hrTime),
        observedTimeUnixNano: nanosOfHrTime(log.hrTimeObserved ?? log.hrTime),
        ...(log.severityNumber !== undefined ? { severityNumber: log.severityNumber } : {}),
        ...(log.severityText ? { severityText: log.severityText } : {}),
        ...(log.body !== undefined ? { body: log.body as AttributeValue } : {}),
        attributes,
        ...(log.eventName ? { eventName: log.eventName } : {}),
        ...(log.spanContext ? { traceId: log.spanContext.traceId, spanId: log.spanContext.spanId, flags: log.spanContext.traceFlags } : {}),
        droppedAttributesCount: log.droppedAttributesCount ?? 0,
      };
      const resource = log.resource as unknown as { attributes: Attributes };
      return { key: sessionOf(attributes, ''), resource, resourceAttributes: resource.attributes, scope: log.instrumentationScope ?? { name: '' }, record };
    });
    this.queue.export('logs', groups, logsRequest, resultCallback);
  }

  forceFlush(): Promise<void> {
    return this.queue.flush();
  }

  shutdown(): Promise<void> {
    return this.queue.shutdown();
  }
}

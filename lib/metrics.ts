/**
 * Metrics as a collaborator: one prom-client Registry per Warden instance (never the global
 * default registry), so tests can create as many instances as they like and read counters back.
 * Every stage reports the same trio: received, sent, errors (by stage and code).
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The metric already registered under `name` on this registry, if any: a stage that is built
 * more than once on one registry reuses its metrics instead of registering them twice.
 */
export function registered<T>(registry: Registry, name: string): T | undefined {
  return registry.getSingleMetric(name) as T | undefined;
}

export class Metrics {
  readonly registry = new Registry();
  private processMetrics = false;

  /**
   * Adds the Node process's own metrics to this registry: CPU, memory, event-loop delay
   * (`nodejs_eventloop_lag_*`, sampled every 10 ms) and GC pauses (`nodejs_gc_duration_seconds`)
   * — what explains a detection-latency tail. For the running server, once: the collectors
   * observe the whole process, so tests that make many instances leave it off.
   */
  collectProcessMetrics(): void {
    if (this.processMetrics) return;
    this.processMetrics = true;
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 10, gcDurationBuckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1] });
  }

  readonly received = new Counter({
    name: 'warden_events_received_total',
    help: 'Records received by a stage',
    labelNames: ['stage', 'signal'] as const,
    registers: [this.registry],
  });

  readonly sent = new Counter({
    name: 'warden_events_sent_total',
    help: 'Records a stage passed on (stored, produced, forwarded)',
    labelNames: ['stage', 'signal'] as const,
    registers: [this.registry],
  });

  readonly errors = new Counter({
    name: 'warden_errors_total',
    help: 'Errors by stage and stable error code',
    labelNames: ['stage', 'code'] as const,
    registers: [this.registry],
  });

  readonly withoutSession = new Counter({
    name: 'warden_events_without_session_total',
    help: 'Events normalized and stored without a session, by tenant, source and the attribute that would have carried it',
    labelNames: ['tenant', 'source', 'expected_attribute'] as const,
    registers: [this.registry],
  });

  readonly deadLettered = new Counter({
    name: 'warden_dead_letter_total',
    help: 'Messages sent to the dead-letter topic, by reason code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });

  readonly redactions = new Counter({
    name: 'warden_redactions_total',
    help: 'Secrets replaced before storage, by kind',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  readonly queueDepth = new Gauge({
    name: 'warden_queue_depth',
    help: 'Messages waiting in the in-process transport',
    registers: [this.registry],
  });

  readonly storagePaused = new Gauge({
    name: 'warden_storage_backpressure',
    help: '1 while ingestion is paused because storage is unavailable',
    registers: [this.registry],
  });

  readonly crossTenantReads = new Counter({
    name: 'warden_cross_tenant_reads_total',
    help: 'Requests of a cross_tenant token reading another tenant than its own, by route',
    labelNames: ['route'] as const,
    registers: [this.registry],
  });

  readonly walSyncSeconds = new Histogram({
    name: 'warden_wal_sync_seconds',
    help: "Time to write one group of accepted requests to the write-ahead log and sync it to disk (each request's answer waits for its group)",
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [this.registry],
  });

  readonly insertSeconds = new Histogram({
    name: 'warden_clickhouse_insert_seconds',
    help: 'Duration of ClickHouse batch inserts',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
}

/**
 * Where detection results go in ClickHouse: findings into `findings` (one row per finding; a
 * re-emitted finding keeps its id and collapses at merge) and sessions into `sessions` (one row
 * per change, newest `version` kept by ReplacingMergeTree). Both write through a BatchWriter,
 * so detection never waits on storage.
 */
import type { ClickHouseHandle } from '../../ingest/clickhouse-sink/index.js';
import { mapStorageError } from '../../ingest/clickhouse-sink/index.js';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';
import type { Metrics } from '../../lib/metrics.js';
import type { Finding } from '../finding.js';
import { msToRfc3339 } from '../../lib/rfc3339.js';
import { sessionKey, type SessionState } from '../session/session-state.js';
import { BatchWriter, type Timers } from './batch-writer.js';
import type { FindingSink, SessionSink } from './detection-engine.js';

export interface StoreOptions {
  logger: Logger;
  metrics: Metrics;
  clock: Clock;
  maxBatch?: number;
  flushIntervalMs?: number;
  timers?: Timers;
}

/** RFC 3339 (`…T…Z`) to the text a DateTime64(9) column reads. */
function toDateTime64(rfc3339: string): string {
  return rfc3339.replace('T', ' ').replace(/Z$/, '');
}

async function insert(handle: ClickHouseHandle, table: string, values: Record<string, unknown>[]): Promise<void> {
  try {
    await handle.client.insert({ table: `${handle.database}.${table}`, values, format: 'JSONEachRow' });
  } catch (err) {
    throw mapStorageError(err, `insert ${table}`);
  }
}

function findingRow(f: Finding): Record<string, unknown> {
  return { ...f, at: toDateTime64(f.at) };
}

export class ClickHouseFindingStore implements FindingSink {
  readonly writer: BatchWriter<Finding>;
  constructor(handle: ClickHouseHandle, options: StoreOptions) {
    this.writer = new BatchWriter({ ...options, stage: 'findings', write: (items) => insert(handle, 'findings', items.map(findingRow)) });
    this.writer.start();
  }
  add(finding: Finding): void {
    this.writer.add(finding, finding.id);
  }
  flush(): Promise<void> {
    return this.writer.flush();
  }
  close(): Promise<void> {
    return this.writer.close();
  }
}

export class ClickHouseSessionStore implements SessionSink {
  /** Pending sessions by key; the row is built when the batch is written, from the state then. */
  readonly writer: BatchWriter<{ session: SessionState }>;
  private readonly clock: Clock;
  private version = 0;
  constructor(handle: ClickHouseHandle, options: StoreOptions) {
    this.clock = options.clock;
    this.writer = new BatchWriter({ ...options, stage: 'sessions', write: (items) => insert(handle, 'sessions', items.map((i) => this.row(i.session))) });
    this.writer.start();
  }

  /**
   * Queues the session's current state (one pending entry per session). Called for every event,
   * so it only records that the session changed: a fresh entry (so a change made while a batch
   * is being written is written again), no row built until the batch goes out.
   */
  touch(s: SessionState): void {
    this.writer.add({ session: s }, sessionKey(s.tenant, s.id));
  }

  private row(s: SessionState): Record<string, unknown> {
    this.version = Math.max(this.version + 1, this.clock.now() * 1000);
    return {
      tenant: s.tenant,
      session_id: s.id,
      agent_id: s.agent_id,
      user_id: s.user_id,
      goal: s.goal,
      scope_allow: s.scope_allow,
      scope_deny: s.scope_deny,
      environment: s.environment,
      state: s.state,
      revoked_at: s.revoked ? toDateTime64(s.revoked.at) : null,
      revoked_by: s.revoked?.by ?? '',
      revoke_reason: s.revoked?.reason ?? '',
      finding_id: s.revoked?.finding_id ?? '',
      first_seen: toDateTime64(msToRfc3339(s.first_seen_ms)),
      last_seen: toDateTime64(msToRfc3339(s.last_seen_ms)),
      event_count: s.counts.events,
      destructive_count: s.counts.destructive,
      version: this.version,
    };
  }
  flush(): Promise<void> {
    return this.writer.flush();
  }
  close(): Promise<void> {
    return this.writer.close();
  }
}

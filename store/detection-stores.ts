/**
 * Where detection results go in ClickHouse: findings into `findings` (one row per finding; a
 * re-emitted finding keeps its id and collapses at merge) and sessions into `sessions` (one row
 * per change, newest `version` kept by ReplacingMergeTree; the row is mapped from the session
 * record in session-row.ts). Both write through a BatchWriter, so detection never waits on storage.
 *
 * The session store is also where a session spilled out of the registry's memory goes and comes
 * back from (parked-session.ts): `park` writes the parked record's row (declarations, identity,
 * counts, revocation), and `load` — the registry's SessionLoader — first writes whatever is
 * pending, then reads the session's newest row and its current revocation from `revocations`
 * (the kill switch's mirror of the revocation log; the row's own state when the mirror has
 * nothing for it).
 */
import type { ClickHouseHandle } from './open-clickhouse.js';
import { mapStorageError } from './storage-errors.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import type { Metrics } from '../lib/metrics.js';
import type { Finding } from '../model/finding.js';
import type { ParkedSession, ReloadedSession } from '../detect/session/parked-session.js';
import { sessionKey, type RevocationInfo } from '../model/session.js';
import { recordOfRow, revocationOfRow, rowRevocation, sessionRow, SESSION_ROW_COLUMNS, type SessionRowRead, type SessionRowWritten } from './session-row.js';
import type { SessionState } from '../detect/session/session-state.js';
import { BatchWriter, type Timers } from '../detect/engine/batch-writer.js';
import type { FindingSink, SessionSink } from '../detect/engine/detection-engine.js';

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

/** One JSONEachRow insert into a Warden table, storage errors mapped (retryable or not). */
export async function insert(handle: ClickHouseHandle, table: string, values: Record<string, unknown>[]): Promise<void> {
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

/** What a session row is built from: a live session, or the parked record of an evicted one. */
type SessionRowSource = SessionState | ParkedSession;

interface StoredRevocationRow {
  action: string;
  at_ns: string;
  by: string;
  reason: string;
  finding_id: string;
}

export class ClickHouseSessionStore implements SessionSink {
  /** Pending sessions by key; the row is built when the batch is written, from the state then. */
  readonly writer: BatchWriter<{ session: SessionRowSource }>;
  private readonly clock: Clock;
  private readonly handle: ClickHouseHandle;
  private version = 0;
  constructor(handle: ClickHouseHandle, options: StoreOptions) {
    this.clock = options.clock;
    this.handle = handle;
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

  /** Queues the row of a parked record leaving memory (replacing any pending entry for it). */
  park(p: ParkedSession): void {
    this.writer.add({ session: p }, sessionKey(p.tenant, p.id));
  }

  /** The SessionLoader: a spilled session's declarations and current revocation, from storage. */
  async load(tenant: string, sessionId: string): Promise<ReloadedSession> {
    await this.writer.flush();
    const db = this.handle.database;
    const params = { tenant, id: sessionId };
    const [rows, revocations] = await Promise.all([
      this.select<SessionRowRead>(`SELECT ${SESSION_ROW_COLUMNS} FROM ${db}.sessions FINAL WHERE tenant = {tenant:String} AND session_id = {id:String}`, params),
      this.select<StoredRevocationRow>(
        `SELECT argMax(toString(action), at) AS action, toString(toUnixTimestamp64Nano(max(at))) AS at_ns,
            argMax(\`by\`, at) AS by, argMax(reason, at) AS reason, argMax(finding_id, at) AS finding_id
          FROM ${db}.revocations WHERE tenant = {tenant:String} AND session_id = {id:String}
          GROUP BY tenant, session_id`,
        params,
      ),
    ]);
    const row = rows[0];
    const mirrored = revocations[0];
    let revoked: RevocationInfo | null = null;
    if (mirrored) {
      if (mirrored.action === 'revoke') revoked = revocationOfRow(mirrored);
    } else if (row && row.revoked_ns !== null) {
      revoked = rowRevocation(row);
    }
    return { parked: row ? recordOfRow(row, revoked) : null, revoked };
  }

  private async select<T>(query: string, query_params: Record<string, string>): Promise<T[]> {
    try {
      const rs = await this.handle.client.query({ query, query_params, format: 'JSONEachRow' });
      return await rs.json<T>();
    } catch (err) {
      throw mapStorageError(err, 'read session');
    }
  }

  private row(s: SessionRowSource): SessionRowWritten {
    this.version = Math.max(this.version + 1, this.clock.now() * 1000);
    return sessionRow(s, this.version);
  }
  flush(): Promise<void> {
    return this.writer.flush();
  }
  close(): Promise<void> {
    return this.writer.close();
  }
}

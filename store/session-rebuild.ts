/**
 * Rebuilds detector state from ClickHouse after a restart or a Kafka rebalance: the most
 * recently active sessions (at most `maxSessions`, active since `sinceMs`), each with its last
 * `maxEventsPerSession` events in time order, are replayed through the engine silently (state
 * rebuilt, findings remembered so they are not emitted again, nothing sent to the kill switch),
 * and the finding ids already stored since then are remembered too (an owner killed after its
 * findings' batch and before its events' insert stored findings whose events come again);
 * then the revocations recorded in `revocations` are applied, so a revoked session stays
 * revoked across the restart. Events the engine has already seen are skipped, so running it
 * again (each rebalance) only adds what other instances handled meanwhile.
 *
 * With `gate`, the gate's memory is read back last (gate-memory-store.ts): the operators'
 * unexpired allow-once grants, used or not, and the calls stopped in the same window — so the
 * instance taking sessions over answers their next gate calls as their last owner would have.
 * The caller runs this before it decides gate calls for the sessions it takes over.
 */
import type { AuditEvent } from '../model/audit-event.js';
import type { ClickHouseHandle } from './open-clickhouse.js';
import { EVENT_SELECT_COLUMNS, fromRow, type SelectedEventRow } from './event-row.js';
import { withStorageErrors } from './storage-errors.js';
import { sessionKey } from '../model/session.js';
import { revocationOfRow } from './session-row.js';
import type { SessionRegistry } from '../detect/session/session-registry.js';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { readGateMemory } from './gate-memory-store.js';
import type { Metrics } from '../lib/metrics.js';
import type { GateMemoryTarget } from '../respond/gate/gate-memory.js';

/** Sessions replayed between two turns of the event loop. */
const REPLAY_SLICE = 50;

export interface RebuildOptions {
  /** Only events at or after this time (ms since the epoch). */
  sinceMs: number;
  maxSessions: number;
  maxEventsPerSession: number;
  /** Also restore the gate's memory into `into`; `nowMs`: grants expired by then are left out. */
  gate?: { into: GateMemoryTarget; nowMs: number; maxStoppedPerSession?: number; metrics?: Metrics };
}

export interface RebuildTarget {
  readonly registry: SessionRegistry;
  replay(events: AuditEvent[]): void;
  /** Finding ids already stored, not to be emitted again (DetectionEngine.rememberFindings). */
  rememberFindings?(ids: Iterable<string>): void;
}

/** Stored finding ids read back by a rebuild, at most (the engine remembers 100,000). */
const MAX_STORED_FINDINGS = 100_000;

export interface RebuildResult {
  sessions: number;
  events: number;
  revoked: number;
  /** Stored finding ids remembered (when the target takes them). */
  findings: number;
  /** Gate memory restored (with `gate`): grants (used or not) and stopped calls. */
  grants?: number;
  stopped?: number;
}

async function recentEvents(handle: ClickHouseHandle, o: RebuildOptions): Promise<AuditEvent[]> {
  const db = handle.database;
  return withStorageErrors('read recent events', async () => {
    const rs = await handle.client.query({
      query: `SELECT ${EVENT_SELECT_COLUMNS} FROM ${db}.audit_events FINAL
        WHERE time >= fromUnixTimestamp64Milli({since:Int64})
          AND (tenant, session_id) IN (
            SELECT tenant, session_id FROM ${db}.audit_events
            WHERE time >= fromUnixTimestamp64Milli({since:Int64})
            GROUP BY tenant, session_id ORDER BY max(time) DESC LIMIT {max_sessions:UInt32})
        ORDER BY tenant, session_id, time DESC, event_id DESC
        LIMIT {max_events:UInt32} BY tenant, session_id`,
      query_params: { since: o.sinceMs, max_sessions: o.maxSessions, max_events: o.maxEventsPerSession },
      format: 'JSONEachRow',
    });
    return (await rs.json<SelectedEventRow>()).map(fromRow);
  });
}

async function storedFindingIds(handle: ClickHouseHandle, sinceMs: number): Promise<string[]> {
  return withStorageErrors('read stored findings', async () => {
    const rs = await handle.client.query({
      // The newest first: past the engine's bound, the oldest are the ones it would forget anyway.
      query: `SELECT id FROM ${handle.database}.findings WHERE at >= fromUnixTimestamp64Milli({since:Int64})
        GROUP BY id ORDER BY max(at) DESC LIMIT {max:UInt32}`,
      query_params: { since: sinceMs, max: MAX_STORED_FINDINGS },
      format: 'JSONEachRow',
    });
    return (await rs.json<{ id: string }>()).map((r) => r.id);
  });
}

interface RevocationRow {
  tenant: string;
  session_id: string;
  at_ns: string;
  by: string;
  reason: string;
  finding_id: string;
}

async function currentRevocations(handle: ClickHouseHandle): Promise<RevocationRow[]> {
  return withStorageErrors('read revocations', async () => {
    const rs = await handle.client.query({
      query: `SELECT tenant, session_id, toString(toUnixTimestamp64Nano(max(at))) AS at_ns,
          argMax(\`by\`, at) AS by, argMax(reason, at) AS reason, argMax(finding_id, at) AS finding_id
        FROM ${handle.database}.revocations
        GROUP BY tenant, session_id
        HAVING argMax(toString(action), at) = 'revoke'`,
      format: 'JSONEachRow',
    });
    return rs.json<RevocationRow>();
  });
}

export async function rebuildFromStore(handle: ClickHouseHandle, target: RebuildTarget, options: RebuildOptions): Promise<RebuildResult> {
  const rows = await recentEvents(handle, options);
  // Rows come newest first within each session (to keep the latest N); replay oldest first.
  const bySession = new Map<string, AuditEvent[]>();
  for (const e of rows) {
    const key = sessionKey(e.tenant, e.session_id);
    const list = bySession.get(key) ?? [];
    list.push(e);
    bySession.set(key, list);
  }
  const sessions = [...bySession.values()].map((list) => list.reverse());
  sessions.sort((a, b) => (a.at(-1)!.time_ns.padStart(20, '0') < b.at(-1)!.time_ns.padStart(20, '0') ? -1 : 1));
  // Replayed a slice at a time with a turn of the event loop between slices: after a rebalance
  // this runs while the instance is live, and a long replay must not hold up detection.
  for (let i = 0; i < sessions.length; i++) {
    if (i > 0 && i % REPLAY_SLICE === 0) await nextTurn();
    target.replay(sessions[i]!);
  }
  // Findings stored by the sessions' last owner whose events were not stored before it stopped:
  // the redelivered events would emit them again (the same ids) — remembered instead.
  let findings = 0;
  if (target.rememberFindings) {
    const ids = await storedFindingIds(handle, options.sinceMs);
    target.rememberFindings(ids.reverse()); // oldest first, so a bounded memory keeps the newest
    findings = ids.length;
  }
  const revocations = await currentRevocations(handle);
  for (const r of revocations) {
    target.registry.markRevoked(r.tenant, r.session_id, revocationOfRow(r));
  }
  const result: RebuildResult = { sessions: sessions.length, events: rows.length, revoked: revocations.length, findings };
  if (options.gate) {
    const memory = await readGateMemory(handle, {
      nowMs: options.gate.nowMs,
      sinceMs: options.sinceMs,
      maxGrants: 10_000,
      maxStopped: 50_000,
      maxStoppedPerSession: options.gate.maxStoppedPerSession ?? options.maxEventsPerSession,
      ...(options.gate.metrics ? { metrics: options.gate.metrics } : {}),
    });
    const restored = options.gate.into.restore(memory);
    result.grants = restored.grants;
    result.stopped = restored.stopped;
  }
  return result;
}

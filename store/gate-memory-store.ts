/**
 * The gate's memory in ClickHouse (migration 033; what it holds and why: respond/gate/gate-memory.ts).
 * Grants and their use are written at once, one row each, and the promise settles when the row
 * is stored — the gate waits for them (an operator's grant stands once stored; a grant's use is
 * stored before the call is answered). Stopped calls go through a BatchWriter: the gate never
 * waits for them. `readGateMemory` reads back the unexpired grants (used or not) and the recent
 * stopped calls, newest `maxStoppedPerSession` per session, for an instance taking sessions
 * over; a stopped row whose decision cannot be read is counted and skipped.
 */
import type { ClickHouseHandle } from './open-clickhouse.js';
import { msToRfc3339, rfc3339ToDateTime64 } from '../lib/rfc3339.js';
import { BatchWriter } from '../detect/engine/batch-writer.js';
import { insert, type StoreOptions } from './detection-stores.js';
import { withStorageErrors } from './storage-errors.js';
import type { Metrics } from '../lib/metrics.js';
import type { GateDecision } from '../respond/gate/gate-service.js';
import type { GateMemorySnapshot, GateMemoryStore, Grant, StoppedCall } from '../respond/gate/gate-memory.js';

const GRANTED = 1;
const CONSUMED = 2;

function msToDateTime64(ms: number): string {
  return rfc3339ToDateTime64(msToRfc3339(ms));
}

function grantRow(g: Grant): Record<string, unknown> {
  return {
    tenant: g.tenant,
    session_id: g.session_id,
    grant_id: g.grant_id,
    call_key: g.call_key,
    decision_id: g.decision_id,
    by: g.by,
    reason: g.reason,
    granted_at: msToDateTime64(g.granted_at_ms),
    expires_at: msToDateTime64(g.expires_at_ms),
    state: g.consumed_event === '' ? GRANTED : CONSUMED,
    consumed_event: g.consumed_event,
    consumed_at: msToDateTime64(g.consumed_at_ms),
  };
}

function stoppedRow(s: StoppedCall): Record<string, unknown> {
  const d = s.decision;
  return { tenant: d.tenant, session_id: d.session_id, call_key: s.call_key, decision_id: d.decision_id, event_id: d.event_id, at: rfc3339ToDateTime64(d.at), decision: JSON.stringify(d) };
}

export class ClickHouseGateMemory implements GateMemoryStore {
  readonly writer: BatchWriter<StoppedCall>;
  /** Grant rows being written: `close` waits for them. */
  private readonly writing = new Set<Promise<void>>();
  constructor(
    private readonly handle: ClickHouseHandle,
    options: StoreOptions,
  ) {
    // Stopped calls are few (denies and asks); written within a quarter second by default, so
    // little is lost when an instance dies.
    this.writer = new BatchWriter({ flushIntervalMs: 250, ...options, stage: 'gate_stopped', write: (items) => insert(handle, 'gate_stopped', items.map(stoppedRow)) });
    this.writer.start();
  }
  saveGrant(grant: Grant): Promise<void> {
    return this.track(insert(this.handle, 'gate_grants', [grantRow({ ...grant, consumed_event: '', consumed_at_ms: 0 })]));
  }
  consume(grant: Grant): Promise<void> {
    if (grant.consumed_event === '') return Promise.reject(new RangeError('a grant is consumed by an intent: consumed_event is empty'));
    return this.track(insert(this.handle, 'gate_grants', [grantRow(grant)]));
  }
  private track(write: Promise<void>): Promise<void> {
    this.writing.add(write);
    const done = () => void this.writing.delete(write);
    write.then(done, done);
    return write;
  }
  async consumedBy(grant: Grant): Promise<string | null> {
    return withStorageErrors('read gate grant', async () => {
      const rs = await this.handle.client.query({
        query: `SELECT consumed_event FROM ${this.handle.database}.gate_grants
          WHERE tenant = {tenant:String} AND session_id = {session:String} AND grant_id = {grant:String} AND state = ${CONSUMED}
          ORDER BY consumed_at LIMIT 1`,
        query_params: { tenant: grant.tenant, session: grant.session_id, grant: grant.grant_id },
        format: 'JSONEachRow',
      });
      const [row] = await rs.json<{ consumed_event: string }>();
      return row ? row.consumed_event : null;
    });
  }
  addStopped(stopped: StoppedCall): void {
    this.writer.add(stopped, stopped.decision.decision_id);
  }
  flush(): Promise<void> {
    return this.writer.flush();
  }
  async close(): Promise<void> {
    await Promise.allSettled([...this.writing]);
    await this.writer.close();
  }
}

export interface GateMemoryReadOptions {
  /** Now (ms since the epoch): grants expired by then are not read. */
  nowMs: number;
  /** Stopped calls of intents at or after this time (ms since the epoch). */
  sinceMs: number;
  maxGrants: number;
  maxStopped: number;
  maxStoppedPerSession: number;
  /** Counts rows that cannot be read (`warden_errors_total{stage="gate_memory"}`). */
  metrics?: Metrics;
}

interface GrantRow {
  tenant: string;
  session_id: string;
  grant_id: string;
  call_key: string;
  decision_id: string;
  by: string;
  reason: string;
  granted_ms: string;
  expires_ms: string;
  consumed_event: string;
  consumed_ms: string;
}

async function readGrants(handle: ClickHouseHandle, o: GateMemoryReadOptions): Promise<Grant[]> {
  return withStorageErrors('read gate grants', async () => {
    const rs = await handle.client.query({
      query: `SELECT tenant, session_id, grant_id,
          argMax(call_key, state) AS call_key, argMax(decision_id, state) AS decision_id,
          argMax(\`by\`, state) AS by, argMax(reason, state) AS reason,
          toString(toUnixTimestamp64Milli(argMax(granted_at, state))) AS granted_ms,
          toString(toUnixTimestamp64Milli(argMax(expires_at, state))) AS expires_ms,
          argMax(consumed_event, state) AS consumed_event,
          toString(toUnixTimestamp64Milli(argMax(consumed_at, state))) AS consumed_ms
        FROM ${handle.database}.gate_grants
        WHERE expires_at > fromUnixTimestamp64Milli({now:Int64})
        GROUP BY tenant, session_id, grant_id
        ORDER BY granted_ms DESC, grant_id
        LIMIT {max:UInt32}`,
      query_params: { now: o.nowMs, max: o.maxGrants },
      format: 'JSONEachRow',
    });
    const rows = await rs.json<GrantRow>();
    return rows
      .map((r) => ({
        grant_id: r.grant_id,
        tenant: r.tenant,
        session_id: r.session_id,
        call_key: r.call_key,
        decision_id: r.decision_id,
        by: r.by,
        reason: r.reason,
        granted_at_ms: Number(r.granted_ms),
        expires_at_ms: Number(r.expires_ms),
        consumed_event: r.consumed_event,
        consumed_at_ms: r.consumed_event === '' ? 0 : Number(r.consumed_ms),
      }))
      .reverse();
  });
}

const ANSWERS = new Set(['allow', 'ask', 'deny']);

/** A stored decision read back, or null when it is not one (damaged or from another shape). */
function decisionOf(text: string, tenant: string, sessionId: string): GateDecision | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const d = value as Partial<GateDecision>;
  const ok =
    d.tenant === tenant &&
    d.session_id === sessionId &&
    typeof d.decision_id === 'string' &&
    typeof d.event_id === 'string' &&
    typeof d.at === 'string' &&
    typeof d.reason === 'string' &&
    ANSWERS.has(String(d.decision)) &&
    ANSWERS.has(String(d.would_be));
  return ok ? (d as GateDecision) : null;
}

async function readStopped(handle: ClickHouseHandle, o: GateMemoryReadOptions): Promise<StoppedCall[]> {
  return withStorageErrors('read gate stopped calls', async () => {
    const rs = await handle.client.query({
      query: `SELECT tenant, session_id, call_key, decision FROM (
          SELECT tenant, session_id, call_key, decision, at, decision_id FROM ${handle.database}.gate_stopped FINAL
          WHERE at >= fromUnixTimestamp64Milli({since:Int64})
          ORDER BY tenant, session_id, at DESC, decision_id DESC
          LIMIT {per:UInt32} BY tenant, session_id)
        ORDER BY at DESC, decision_id DESC
        LIMIT {max:UInt32}`,
      query_params: { since: o.sinceMs, per: o.maxStoppedPerSession, max: o.maxStopped },
      format: 'JSONEachRow',
    });
    const rows = await rs.json<{ tenant: string; session_id: string; call_key: string; decision: string }>();
    const out: StoppedCall[] = [];
    for (const r of rows.reverse()) {
      const decision = decisionOf(r.decision, r.tenant, r.session_id);
      if (decision) out.push({ call_key: r.call_key, decision });
      else o.metrics?.errors.inc({ stage: 'gate_memory', code: 'INVALID_ROW' });
    }
    return out;
  });
}

/** The gate's memory to restore: unexpired grants and recent stopped calls, oldest first. */
export async function readGateMemory(handle: ClickHouseHandle, o: GateMemoryReadOptions): Promise<GateMemorySnapshot> {
  const grants = await readGrants(handle, o);
  const stopped = await readStopped(handle, o);
  return { grants, stopped };
}

/**
 * Gate decisions into ClickHouse (`gate_decisions`, one row per decision; a decision made again
 * for a retried hook keeps its id and collapses at merge), through a BatchWriter so the gate
 * never waits on storage.
 */
import type { ClickHouseHandle } from './open-clickhouse.js';
import { rfc3339ToDateTime64 } from '../lib/rfc3339.js';
import { BatchWriter } from '../detect/engine/batch-writer.js';
import { insert, type StoreOptions } from './detection-stores.js';
import type { DecisionSink, GateDecision } from '../respond/gate/gate-service.js';

function row(d: GateDecision): Record<string, unknown> {
  const { remedy: _remedy, latency_ms, at, ...rest } = d;
  return { ...rest, latency_us: Math.min(0xffffffff, Math.round(latency_ms * 1000)), at: rfc3339ToDateTime64(at) };
}

export class ClickHouseDecisionStore implements DecisionSink {
  readonly writer: BatchWriter<GateDecision>;
  constructor(handle: ClickHouseHandle, options: StoreOptions) {
    this.writer = new BatchWriter({ ...options, stage: 'gate_decisions', write: (items) => insert(handle, 'gate_decisions', items.map(row)) });
    this.writer.start();
  }
  add(decision: GateDecision): void {
    this.writer.add(decision, decision.decision_id);
  }
  flush(): Promise<void> {
    return this.writer.flush();
  }
  close(): Promise<void> {
    return this.writer.close();
  }
}

/**
 * InMemoryRevocations: a RevocationService kept in memory, for tests of the operator API until
 * the kill switch's own service is wired. It honours the contract: revoking a revoked session
 * (or reinstating an active one) answers null; every change appends a hash-chained record
 * (SHA-256 over the record's fields and the previous hash); `revocationOf` is a map lookup.
 * No webhooks, no durable log.
 */
import { createHash } from 'node:crypto';
import type { ReinstateRequest, RevocationRecord, RevocationService, RevokeRequest } from '../../../detectors/kill-switch/contracts.js';
import { sessionKey, type RevocationInfo } from '../../../detectors/session/session-state.js';
import { systemClock, type Clock } from '../../../lib/clock.js';
import { nsToRfc3339 } from '../../queries/time.js';

const GENESIS = '0'.repeat(64);

export class InMemoryRevocations implements RevocationService {
  readonly records: RevocationRecord[] = [];
  private readonly current = new Map<string, RevocationInfo>();
  private readonly clock: Clock;

  constructor(clock: Clock = systemClock) {
    this.clock = clock;
  }

  async revoke(request: RevokeRequest): Promise<RevocationRecord | null> {
    const key = sessionKey(request.tenant, request.sessionId);
    if (this.current.has(key)) return null;
    const record = this.append('revoke', request.tenant, request.sessionId, request.by, request.reason, request.finding?.id ?? null);
    this.current.set(key, { at: record.at, by: record.by, reason: record.reason, finding_id: record.finding_id });
    return record;
  }

  async reinstate(request: ReinstateRequest): Promise<RevocationRecord | null> {
    const key = sessionKey(request.tenant, request.sessionId);
    if (!this.current.has(key)) return null;
    const record = this.append('reinstate', request.tenant, request.sessionId, request.by, request.reason, null);
    this.current.delete(key);
    return record;
  }

  revocationOf(tenant: string, sessionId: string): RevocationInfo | null {
    return this.current.get(sessionKey(tenant, sessionId)) ?? null;
  }

  private append(action: RevocationRecord['action'], tenant: string, sessionId: string, by: string, reason: string, findingId: string | null): RevocationRecord {
    const prev = this.records.at(-1)?.hash ?? GENESIS;
    const fields = { seq: this.records.length + 1, at: nsToRfc3339(this.clock.nowNs().toString()), tenant, session_id: sessionId, action, by, reason, finding_id: findingId };
    const hash = createHash('sha256').update(JSON.stringify([fields, prev])).digest('hex');
    const record: RevocationRecord = { ...fields, prev_hash: prev, hash };
    this.records.push(record);
    return record;
  }
}

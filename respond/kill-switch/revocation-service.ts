/**
 * The kill switch's effects. `revoke()` appends a record to the hash-chained log (fsync'd),
 * updates the in-memory map the hook verdicts read, tells the session registry through
 * `onStateChange`, enqueues a signed `session.revoked` webhook per endpoint in the durable outbox
 * (sent at once), and publishes the record to the revocation topic when a publisher is given.
 * `reinstate()` does the same with `session.reinstated`. Nothing on this path waits for
 * ClickHouse or Kafka. The map is rebuilt from the log at start (last action per session wins),
 * and `applyRemote()` applies records other instances published. Operations on one session run
 * one at a time, so two concurrent revokes record one revocation.
 */
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';
import type { Metrics } from '../../lib/metrics.js';
import type { Finding } from '../../model/finding.js';
import { sessionKey, type RevocationInfo } from '../../model/session.js';
import type { ReinstateRequest, RevocationRecord, RevocationService, RevokeRequest, Verdict } from './contracts.js';
import { killSwitchMetrics } from './kill-switch-metrics.js';
import { recordHash } from './record-chain.js';
import type { RevocationLog } from './revocation-log.js';
import { rfc3339Ns } from '../../lib/rfc3339.js';
import { createRedactor } from '../../normalize/redact/index.js';
import type { WebhookOutbox } from './webhook-outbox.js';
import { findingPayload, recordWebhook, type SessionIdentity } from './webhook-payload.js';

export type StateOrigin = 'local' | 'remote';

/**
 * A reason may be an operator's free text (`warden revoke --reason …`): it goes through the event
 * redactor before it is sealed into the log and sent in webhooks, logs and the ClickHouse mirror
 * (detectors' reasons are built from redacted events already; redacting them again changes nothing).
 */
const reasonRedactor = createRedactor();
const cleanReason = (reason: string): string => reasonRedactor.redact(reason).text;

export interface RevocationPublisher {
  publish(record: RevocationRecord): Promise<void>;
}

export interface RevocationServiceOptions {
  log: RevocationLog;
  outbox: WebhookOutbox;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  /** Distributed mode: the revocation topic. */
  publisher?: RevocationPublisher;
  /** Called after every change of a session's state (e.g. SessionRegistry.markRevoked/markReinstated). */
  onStateChange?: (record: RevocationRecord, origin: StateOrigin) => void;
}

export interface KillSwitchService extends RevocationService {
  /** The hook fast path: a memory lookup. */
  verdict(tenant: string, sessionId: string): Verdict;
  /** Applies a record published by another instance; true when it changed the state here. */
  applyRemote(record: RevocationRecord): boolean;
  /** Enqueues the opt-in `finding.created` webhook. */
  notifyFinding(finding: Finding): Promise<void>;
  /** Sessions currently revoked, as known here. */
  revokedCount(): number;
}

interface Current extends RevocationInfo, SessionIdentity {}

export function createRevocationService(options: RevocationServiceOptions): KillSwitchService {
  const { log, outbox, clock, metrics } = options;
  const logger = options.logger.child({ component: 'kill-switch' });
  const counters = killSwitchMetrics(metrics);
  const current = new Map<string, Current>();
  const locks = new Map<string, Promise<unknown>>();

  for (const r of log.loaded) apply(r, { agentId: '', userId: '' });
  if (current.size > 0) logger.info({ revoked: current.size, records: log.loaded.length }, 'revocations restored from the log');

  function apply(record: RevocationRecord, who: SessionIdentity): boolean {
    const key = sessionKey(record.tenant, record.session_id);
    if (record.action === 'revoke') {
      if (current.has(key)) return false;
      current.set(key, { at: record.at, by: record.by, reason: record.reason, finding_id: record.finding_id, ...who });
      return true;
    }
    return current.delete(key);
  }

  function exclusive<T>(key: string, operation: () => Promise<T>): Promise<T> {
    const run = (locks.get(key) ?? Promise.resolve()).then(operation);
    const settled = run.catch(() => undefined);
    locks.set(key, settled);
    void settled.then(() => {
      if (locks.get(key) === settled) locks.delete(key);
    });
    return run;
  }

  function changed(record: RevocationRecord, origin: StateOrigin): void {
    counters.revocations.inc({ action: record.action, origin });
    try {
      options.onStateChange?.(record, origin);
    } catch (err) {
      metrics.errors.inc({ stage: 'kill_switch', code: 'STATE_CALLBACK_FAILED' });
      logger.error({ err: (err as Error).message, session_id: record.session_id }, 'onStateChange threw');
    }
  }

  async function effects(record: RevocationRecord, who: SessionIdentity, finding: Finding | null): Promise<void> {
    const { type, payload, seed } = recordWebhook(record, who, finding);
    try {
      await outbox.enqueue(type, payload, seed);
    } catch (err) {
      // The revocation stands (it is in the log and in memory); the webhook could not be queued
      // now. The recovery pass at the next start enqueues it (webhook-recovery.ts).
      metrics.errors.inc({ stage: 'webhook', code: 'OUTBOX_WRITE_FAILED' });
      logger.error({ err: (err as Error).message, session_id: record.session_id, seq: record.seq }, `${type} webhook could not be enqueued`);
    }
    if (options.publisher) {
      options.publisher.publish(record).catch((err: unknown) => {
        metrics.errors.inc({ stage: 'revocation_topic', code: 'PUBLISH_FAILED' });
        logger.error({ err: (err as Error).message, session_id: record.session_id, seq: record.seq }, 'revocation not published to the topic');
      });
    }
  }

  return {
    revoke(request: RevokeRequest): Promise<RevocationRecord | null> {
      const key = sessionKey(request.tenant, request.sessionId);
      return exclusive(key, async () => {
        if (current.has(key)) return null;
        const finding = request.finding ?? null;
        // The record is sealed at once; its fsync'd append and the webhook's durable enqueue run
        // side by side (two files), so the webhook leaves after one disk flush, not two.
        const { record, durable } = log.seal({
          at: rfc3339Ns(clock.nowNs()), tenant: request.tenant, session_id: request.sessionId, action: 'revoke',
          by: request.by, reason: cleanReason(request.reason), finding_id: finding?.id ?? null,
        });
        const who = { agentId: request.agentId ?? finding?.agent_id ?? '', userId: request.userId ?? '' };
        apply(record, who);
        changed(record, 'local');
        logger.warn({ tenant: record.tenant, session_id: record.session_id, by: record.by, seq: record.seq }, `session revoked: ${record.reason}`);
        const sent = effects(record, who, finding);
        try {
          await durable;
        } finally {
          await sent;
        }
        return record;
      });
    },

    reinstate(request: ReinstateRequest): Promise<RevocationRecord | null> {
      const key = sessionKey(request.tenant, request.sessionId);
      return exclusive(key, async () => {
        if (!current.has(key)) return null;
        const record = await log.append({
          at: rfc3339Ns(clock.nowNs()), tenant: request.tenant, session_id: request.sessionId, action: 'reinstate',
          by: request.by, reason: cleanReason(request.reason), finding_id: null,
        });
        const c = current.get(key)!;
        const who = { agentId: c.agentId, userId: c.userId };
        apply(record, who);
        changed(record, 'local');
        logger.warn({ tenant: record.tenant, session_id: record.session_id, by: record.by, seq: record.seq }, `session reinstated: ${record.reason}`);
        await effects(record, who, null);
        return record;
      });
    },

    revocationOf(tenant: string, sessionId: string): RevocationInfo | null {
      const c = current.get(sessionKey(tenant, sessionId));
      return c ? { at: c.at, by: c.by, reason: c.reason, finding_id: c.finding_id } : null;
    },

    verdict(tenant: string, sessionId: string): Verdict {
      const c = current.get(sessionKey(tenant, sessionId));
      return c ? { allow: false, reason: `session revoked by ${c.by} at ${c.at}: ${c.reason}` } : { allow: true, reason: 'session not revoked' };
    },

    applyRemote(record: RevocationRecord): boolean {
      if (recordHash(record) !== record.hash) {
        metrics.errors.inc({ stage: 'revocation_topic', code: 'RECORD_HASH_MISMATCH' });
        logger.warn({ session_id: record.session_id }, 'ignoring a published revocation record whose hash does not match');
        return false;
      }
      if (!apply(record, { agentId: '', userId: '' })) return false;
      changed(record, 'remote');
      return true;
    },

    async notifyFinding(finding: Finding): Promise<void> {
      await outbox.enqueue('finding.created', findingPayload(finding), finding.id);
    },

    revokedCount: () => current.size,
  };
}

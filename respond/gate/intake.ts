/**
 * One hook event into Warden, the way the gate needs it: the agent's payload becomes the same
 * OTLP log record a hook would have exported (`harness/hooks/hook-event.ts`), normalized here —
 * classified and redacted by the same normalizer as the stream, for the caller's tenant — and,
 * when it is an intended action at one of the agent's gated events, decided by the gate before
 * anything else. Then the record goes to the transport like any OTLP log, so it is stored by the
 * ingest path (offsets, retries, dead letters as for telemetry); the detectors see the stored copy
 * as an event they already judged and skip it, so the intent is stored once and judged once.
 * The same holds when the call's intent also arrives as the agent's own telemetry, before or
 * after, or through a second hook: an intent naming its tool call has an id derived from
 * (tenant, session, tool-call id), so every copy is the one event — the engine judges the first
 * (and answers the gate with its findings), storage keeps the first stored, and the gate's
 * decision (`gate_decisions.event_id`) points at it. A call without an id keeps the id of its record.
 *
 * The agent waits for the answer, so the record is sent `atOnce`: embedded mode writes it at once,
 * not behind the telemetry's writes. A record the transport cannot take (queue full, Kafka down)
 * is an error the route answers with the caller's fail mode: no receipt, no action. Messages the
 * caller gives in `before` (a declaration that came with a gate call) go ahead of the record in
 * the same transport call.
 */
import type { AuditEvent } from '../../model/audit-event.js';
import { encodeOtlp } from '../../decode/otlp/index.js';
import type { Normalizer } from '../../normalize/index.js';
import type { TransportMessage, TransportProducer } from '../../receive/transport/transport.js';
import type { Gate, GateDecision } from './gate-service.js';
import { hookLogRecord, type HookInput } from '../../harness/hooks/hook-event.js';
import type { Clock } from '../../lib/clock.js';
import { performance } from 'node:perf_hooks';

export interface IntakeDeps {
  normalizer: Normalizer;
  producer: TransportProducer;
  gate: Gate;
  clock: Clock;
}

export interface IntakeResult {
  /** The normalized event, or null when normalization refused the record. */
  event: AuditEvent | null;
  /** The gate's decision, for an intended action at a gated event. */
  decision: GateDecision | null;
  /** Milliseconds the transport took to take the record (embedded: written and synced to the write-ahead log). */
  receiptMs: number;
}

export interface IntakeRequest {
  input: HookInput;
  /** OTLP service.name of the record: the agent id. */
  agent: string;
  tenant: string;
  /** Whether this event is one the agent lets a hook decide. */
  gated: boolean;
  canAsk: boolean;
  /** Sent ahead of this event's record, in the same transport call. */
  before?: TransportMessage[];
}

export async function takeHookEvent(deps: IntakeDeps, request: IntakeRequest): Promise<IntakeResult> {
  const record = hookLogRecord(request.input, request.agent, deps.clock.nowNs());
  const [event] = deps.normalizer.normalize([record], { tenant: request.tenant });
  const decision = event !== undefined && request.gated && event.phase === 'intent' ? await deps.gate.decide(event, request.canAsk) : null;
  const sending = performance.now();
  await deps.producer.send([
    ...(request.before ?? []),
    {
      signal: 'logs',
      encoding: 'otlp_json',
      key: event?.session_id || request.input.session_id || null,
      value: encodeOtlp('logs', [record], 'otlp_json'),
      headers: { 'warden-tenant': request.tenant },
    },
  ], { atOnce: true });
  return { event: event ?? null, decision, receiptMs: performance.now() - sending };
}

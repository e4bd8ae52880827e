/**
 * A session declaration that comes with a gate call (`POST /api/v1/gate` `declaration`), applied
 * before the call's intent is decided. The declaration a harness sends as telemetry travels the
 * ingest queue and reaches the session's state some time later; a gate call right behind it would
 * be judged without the declared goal and scope. Here the declaration becomes the same OTLP log
 * record the harness's telemetry declaration is (`warden.session.start`, scope `@warden/harness`,
 * `session.id`, `warden.session.goal`, `warden.scope.allow` / `.deny`, `warden.environment`,
 * `user.id`; resource `service.name` = `gen_ai.agent.name` = the agent), normalized by the same
 * normalizer for the caller's tenant, and applied to the session's state synchronously through
 * the engine, exactly as the stream applies one: a `session`-phase event, so it updates what the
 * session declared before (session-registry.ts). `applyDeclaration` returns the transport message
 * of the record; the gate sends it with the call's intent, ahead of it, in one transport call
 * (intake.ts), so it is stored like any OTLP log and the audit trail shows it.
 *
 * Stored once: given the time of the harness's telemetry record (`time_unix_nano`), the record
 * built here is that record — the same event id — so storage keeps one copy and the engine, which
 * has seen this id, skips the telemetry copy when it arrives (and this one is skipped if the
 * telemetry copy came first). Without a time, the record takes the clock's time and is a record
 * of its own.
 *
 * Refused by the normalizer → `NORMALIZE_RECORD_FAILED` (400): nothing is applied or stored. The
 * transport unable to take it (with the intent) → its error (429/503), as for the intent: the call
 * is not answered with a decision, the declaration stays applied in memory (the same declaration,
 * sent again, is the same record and changes nothing) and the harness sends it again.
 */
import { ApiError } from '../../lib/errors.js';
import type { Clock } from '../../lib/clock.js';
import type { AuditEvent } from '../../model/audit-event.js';
import { encodeOtlp, type Attributes, type DecodedLogRecord } from '../../decode/otlp/index.js';
import type { Normalizer } from '../../normalize/index.js';
import type { TransportMessage } from '../../receive/transport/transport.js';

/** What a caller may declare about its session (the harness's `SessionContext`, as the gate API spells it). */
export interface GateDeclaration {
  goal?: string | undefined;
  environment?: string | undefined;
  scope_allow?: string[] | undefined;
  scope_deny?: string[] | undefined;
  user?: string | undefined;
  /** The declaration's time, decimal nanoseconds since the epoch (default: now). */
  time_unix_nano?: string | undefined;
}

/** The engine's synchronous path: one event applied to its session's state now (DetectionEngine). */
export interface SessionStateApplier {
  evaluate(event: AuditEvent): unknown;
}

export interface DeclarationDeps {
  normalizer: Normalizer;
  clock: Clock;
  engine: SessionStateApplier;
}

/** The instrumentation scope of the harness's own records (harness/agent-sdk records.ts). */
export const HARNESS_SCOPE = { name: '@warden/harness', version: '0.1.0' };

/** The OTLP log record the harness sends as its session declaration, for this session and agent. */
export function declarationLogRecord(sessionId: string, agent: string, d: GateDeclaration, nowNs: bigint): DecodedLogRecord {
  const attributes: Attributes = { 'session.id': sessionId };
  if (d.goal) attributes['warden.session.goal'] = d.goal;
  if (d.scope_allow) attributes['warden.scope.allow'] = [...d.scope_allow];
  if (d.scope_deny) attributes['warden.scope.deny'] = [...d.scope_deny];
  if (d.environment) attributes['warden.environment'] = d.environment;
  if (d.user) attributes['user.id'] = d.user;
  const resource: Attributes = { 'service.name': agent, 'gen_ai.agent.name': agent };
  if (d.user) resource['user.id'] = d.user;
  const time = d.time_unix_nano ?? nowNs.toString();
  return {
    signal: 'logs',
    resource,
    scope: { ...HARNESS_SCOPE },
    timeUnixNano: time,
    observedTimeUnixNano: time,
    severityNumber: 9,
    severityText: 'INFO',
    body: null,
    attributes,
    traceId: '',
    spanId: '',
    eventName: 'warden.session.start',
  };
}

/** Applies the declaration to the session's state now; returns the message that records it. */
export function applyDeclaration(deps: DeclarationDeps, request: { sessionId: string; agent: string; tenant: string; declaration: GateDeclaration }): TransportMessage {
  const record = declarationLogRecord(request.sessionId, request.agent, request.declaration, deps.clock.nowNs());
  const [event] = deps.normalizer.normalize([record], { tenant: request.tenant });
  if (event === undefined || event.session_id !== request.sessionId) {
    throw new ApiError('NORMALIZE_RECORD_FAILED', 'the declaration could not be read as a session declaration (see the gate API: goal, environment, scope_allow, scope_deny, user, time_unix_nano)');
  }
  deps.engine.evaluate(event);
  return {
    signal: 'logs',
    encoding: 'otlp_json',
    key: event.session_id,
    value: encodeOtlp('logs', [record], 'otlp_json'),
    headers: { 'warden-tenant': request.tenant },
  };
}

/**
 * What a wire builder produces for one session: OTLP records (the decoder's flat form, which
 * `encodeOtlp` turns into a real export request) with the moment the harness would export each
 * one, and for hook intents the question a hook asks Warden before letting the tool run.
 * Helpers shared by the builders: nanosecond timestamps, shell quoting for argv commands, and
 * the `warden.session.start` declaration every session opens with.
 */
import type { Attributes, DecodedLogRecord, DecodedRecord, DecodedSpan, Scope } from '../../../decode/otlp/records.js';
import type { IncidentSession, SessionStep } from '../session-file.js';
import { hexId, type PlannedStep, type SessionPlan } from '../timeline.js';

export interface WireRecord {
  /** Offset from the session start at which the harness exports the record. */
  sendAtMs: number;
  record: DecodedRecord;
  /** Index of the step, null for session records. */
  step: number | null;
  phase: 'session' | 'intent' | 'execution';
  /** For hook intents: asked at `GET /api/v1/sessions/:id/verdict` before the tool runs. */
  gate?: { tool: string; command: string };
}

export interface WireSession {
  signal: 'traces' | 'logs';
  records: WireRecord[];
}

export interface BuildInput {
  session: IncidentSession;
  plan: SessionPlan;
  /** Epoch milliseconds of the session start (offset 0). */
  baseMs: number;
}

export const HARNESS_SCOPE: Scope = { name: 'warden.harness', version: '0.1.0' };

export function nanos(baseMs: number, offsetMs: number): string {
  return (BigInt(Math.round(baseMs + offsetMs)) * 1_000_000n).toString();
}

/** The command of a step: the shell command, else empty. */
export function commandOf(step: SessionStep, intent = false): string {
  return (intent ? step.intent?.command : undefined) ?? step.command ?? '';
}

/** Arguments the way a generic harness logs them: the command beside any other argument. */
export function argumentsOf(step: SessionStep, intent = false): Record<string, unknown> {
  const args = (intent ? step.intent?.arguments : undefined) ?? step.arguments ?? {};
  const command = commandOf(step, intent);
  return command === '' ? { ...args } : { command, ...args };
}

/** Whether the step failed, and the text the harness reports for it. */
export function failure(step: SessionStep): string | null {
  if (step.outcome !== 'error') return null;
  return step.error ?? `Exit code ${step.exit_code ?? 1}`;
}

/** `warden.session.*` attributes: goal (unless announced by a prompt), scope, environment. */
export function declarationAttributes(session: IncidentSession, sessionId: string): Attributes {
  const s = session.session;
  const attrs: Attributes = { 'session.id': sessionId };
  if ((s.goal_via ?? 'start') === 'start') attrs['warden.session.goal'] = s.goal;
  if (s.scope?.allow !== undefined) attrs['warden.scope.allow'] = s.scope.allow;
  if (s.scope?.deny !== undefined) attrs['warden.scope.deny'] = s.scope.deny;
  if (s.environment !== undefined) attrs['warden.environment'] = s.environment;
  if (s.user !== undefined) attrs['user.email'] = s.user;
  return attrs;
}

/** The session declaration as a log record (log-only harnesses). */
export function sessionStartLog(input: BuildInput, resource: Attributes): WireRecord {
  const time = nanos(input.baseMs, 0);
  const record: DecodedLogRecord = {
    signal: 'logs',
    resource,
    scope: HARNESS_SCOPE,
    timeUnixNano: time,
    observedTimeUnixNano: time,
    severityNumber: 9,
    severityText: 'INFO',
    body: null,
    attributes: declarationAttributes(input.session, input.plan.sessionId),
    traceId: '',
    spanId: '',
    eventName: 'warden.session.start',
  };
  return { sendAtMs: 0, record, step: null, phase: 'session' };
}

/** The session declaration as a zero-length span (span harnesses). */
export function sessionStartSpan(input: BuildInput, resource: Attributes, traceId: string): WireRecord {
  const time = nanos(input.baseMs, 0);
  const record: DecodedSpan = {
    signal: 'traces',
    resource,
    scope: HARNESS_SCOPE,
    traceId,
    spanId: hexId(8, input.plan.sessionId, 'session.start'),
    parentSpanId: '',
    name: 'warden.session.start',
    kind: 1,
    startTimeUnixNano: time,
    endTimeUnixNano: time,
    attributes: declarationAttributes(input.session, input.plan.sessionId),
    events: [],
    status: { code: 0, message: '' },
  };
  return { sendAtMs: 0, record, step: null, phase: 'session' };
}

/** Orders records by export time, keeping the build order among equal times. */
export function byExportTime(records: WireRecord[]): WireRecord[] {
  return records.map((r, i) => ({ r, i })).sort((a, b) => a.r.sendAtMs - b.r.sendAtMs || a.i - b.i).map((x) => x.r);
}

/** Steps that were executed, with their times (intent-only steps are left out). */
export function executed(plan: SessionPlan): Array<PlannedStep & { execStartMs: number; execEndMs: number }> {
  return plan.steps.filter((p): p is PlannedStep & { execStartMs: number; execEndMs: number } => p.execStartMs !== null && p.execEndMs !== null);
}

/**
 * A session's steps laid out on its own clock: offsets in milliseconds from the session start
 * (the `warden.session.start` record at 0). Each step's `after_ms` counts from the end of the
 * previous step; a step with an intent has the intent at that point, the tool starting a short
 * decision latency later and the execution ending `duration_ms` after that. Tool call ids are
 * derived from the session id and the step index, in the shape each harness uses, so a replay
 * is deterministic for a given session id.
 */
import { createHash } from 'node:crypto';
import type { IncidentSession, SessionSource, SessionStep } from './session-file.js';

/** Between an intent (the permission decision) and the tool starting. */
export const DECISION_LATENCY_MS = 40;
export const DEFAULT_DURATION_MS = 250;

export interface PlannedStep {
  index: number;
  step: SessionStep;
  callId: string;
  cwd: string;
  /** Offset of the intent record; null when the step has none. */
  intentAtMs: number | null;
  /** Offsets of the tool run; null when the step was never executed (intent only). */
  execStartMs: number | null;
  execEndMs: number | null;
}

export interface SessionPlan {
  sessionId: string;
  steps: PlannedStep[];
  /** Offset of the last record. */
  totalMs: number;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Deterministic hex of `bytes` bytes from the given parts. */
export function hexId(bytes: number, ...parts: Array<string | number>): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, bytes * 2);
}

function base62(length: number, ...parts: Array<string | number>): string {
  const digest = createHash('sha256').update(parts.join('\u0000')).digest();
  let out = '';
  for (let i = 0; i < length; i++) out += BASE62[digest[i % digest.length]! % 62];
  return out;
}

/** A tool call id in the harness's own shape (`toolu_01…` for Claude Code, `call_…` otherwise). */
export function callIdFor(source: SessionSource, sessionId: string, index: number): string {
  if (source === 'claude_code_logs' || source === 'hooks') return `toolu_01${base62(22, sessionId, index)}`;
  return `call_${base62(24, sessionId, index)}`;
}

/** Whether the harness of this session writes intent receipts. */
export function writesIntents(session: IncidentSession): boolean {
  return session.intents ?? session.source !== 'genai_spans';
}

export function planSession(session: IncidentSession, sessionId: string): SessionPlan {
  const intents = writesIntents(session);
  let cursor = 0;
  const steps = session.steps.map((step, index): PlannedStep => {
    const phase = step.phase ?? (intents ? 'pair' : 'execution');
    const at = cursor + step.after_ms;
    const intentAtMs = phase === 'execution' ? null : at;
    const executed = phase !== 'intent' && step.decision !== 'reject';
    const execStartMs = executed ? (intentAtMs === null ? at : at + DECISION_LATENCY_MS) : null;
    const execEndMs = execStartMs === null ? null : execStartMs + (step.duration_ms ?? DEFAULT_DURATION_MS);
    cursor = execEndMs ?? at;
    return { index, step, callId: callIdFor(session.source, sessionId, index), cwd: step.cwd ?? session.session.cwd, intentAtMs, execStartMs, execEndMs };
  });
  return { sessionId, steps, totalMs: cursor };
}

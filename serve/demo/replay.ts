/**
 * Replays a recorded session against a running Warden over HTTP, the way the agent's harness
 * would have sent it: the `warden.session.start` declaration first, then every record in export
 * order, as real OTLP/HTTP requests in the session's wire shape and encoding.
 *
 * Time. Records carry the recorded timing (`after_ms`, `duration_ms`) in their timestamps; the
 * real waits between requests are those gaps divided by `speed` (1 = as recorded, 20 = twenty
 * times faster, Infinity = no waits). Timestamps are anchored so the last record is stamped at
 * the moment it is sent and none lies in the future: at speed 1 event time and wall time agree.
 * Warden's live detection reads the injected clock — the wall clock in a running Warden — not
 * the event timestamps (only a rebuild from storage follows event time, and so does an event
 * stamped before Warden last started or took its sessions over), so rate and window detectors
 * (destructive burst, capability budget) see the gaps shrunk by `speed`. Speed 1 is the
 * faithful replay; anything faster shows an agent that many times quicker — except records
 * whose back-dated stamps fall before Warden's start, which are judged at their recorded pace.
 *
 * Hooks. A hook asks Warden for a verdict before each tool call; with the `hooks` source the
 * replay does the same and, when denied, forwards the PreToolUse but never runs the tool (no
 * PostToolUse), as a real hook would.
 */
import { randomUUID } from 'node:crypto';
import { eventIdFor } from '../../normalize/event-id.js';
import { DEFAULT_TENANT, sessionIdOf, toolCallIdOf } from '../../normalize/identity.js';
import { decodeOtlp } from '../../decode/otlp/index.js';
import type { DecodedRecord } from '../../decode/otlp/records.js';
import { askVerdict, exportRecords, type WireEncoding } from './otlp-http.js';
import type { IncidentSession } from './session-file.js';
import { planSession } from './timeline.js';
import { DEFAULT_ENCODING, buildWire, type WireRecord } from './wire/index.js';

export { loadIncidentSessions, type IncidentSession } from './session-file.js';

export interface ReplayProgress {
  sessionId: string;
  /** Step index, null for session records. */
  step: number | null;
  phase: WireRecord['phase'];
  /** True when the hook was denied and the tool not run. */
  denied: boolean;
  sent: number;
  total: number;
}

export interface ReplayOptions {
  /** Bearer token (role ingest) when the receiver requires one. */
  token?: string | undefined;
  /** Real-time compression factor (default 1). */
  speed?: number;
  /** Session id to send under (default: `<name>-<random>`), so replays never collide. */
  sessionId?: string;
  encoding?: WireEncoding;
  /** Ask verdicts before hook intents and honour denials (default true; hooks source only). */
  honorVerdicts?: boolean;
  onProgress?: (progress: ReplayProgress) => void;
  /** The tenant the token stores under (default `default`): an intent's event id is derived from it. */
  tenant?: string;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface SentEvent {
  step: number;
  phase: 'intent' | 'execution';
  /** Wall-clock time Warden acknowledged it (epoch ms). */
  sentAtMs: number;
}

export interface ReplayResult {
  sessionId: string;
  requests: number;
  records: number;
  /** Steps whose tool never ran because the hook was denied. */
  deniedSteps: number[];
  /** Each tool-call event sent, by the event id Warden gives it (findings cite these ids). */
  events: Map<string, SentEvent>;
  /** Epoch milliseconds of the first and last record's timestamp. */
  eventStartMs: number;
  eventEndMs: number;
}

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The records of a session in export order, stamped from `baseMs` (also used by the tests). */
export function sessionRecords(session: IncidentSession, sessionId: string, baseMs: number): { signal: 'traces' | 'logs'; records: WireRecord[]; totalMs: number } {
  const plan = planSession(session, sessionId);
  const wire = buildWire({ session, plan, baseMs });
  const totalMs = wire.records.reduce((max, r) => Math.max(max, r.sendAtMs), 0);
  return { signal: wire.signal, records: wire.records, totalMs };
}

/** Consecutive records exported at the same moment go in one request, as an exporter batches them. */
function batches(records: WireRecord[]): WireRecord[][] {
  const out: WireRecord[][] = [];
  for (const r of records) {
    const last = out[out.length - 1];
    if (last && last[0]!.sendAtMs === r.sendAtMs && r.gate === undefined) last.push(r);
    else out.push([r]);
  }
  return out;
}

export async function replaySession(baseUrl: string, session: IncidentSession, options: ReplayOptions = {}): Promise<ReplayResult> {
  const speed = options.speed ?? 1;
  if (!(speed > 0)) throw new Error(`speed must be > 0, got ${speed}`);
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? realSleep;
  const sessionId = options.sessionId ?? `${session.name}-${randomUUID().slice(0, 8)}`;
  const encoding = options.encoding ?? session.encoding ?? DEFAULT_ENCODING[session.source];
  const honorVerdicts = (options.honorVerdicts ?? true) && session.source === 'hooks';

  const startedMs = now();
  const firstPass = sessionRecords(session, sessionId, 0);
  const baseMs = Math.round(startedMs - firstPass.totalMs * (1 - 1 / speed));
  const { signal, records } = sessionRecords(session, sessionId, baseMs);

  const denied = new Set<number>();
  const events = new Map<string, SentEvent>();
  let verdictsAvailable = honorVerdicts;
  let requests = 0;
  let sent = 0;
  for (const batch of batches(records)) {
    const dueMs = startedMs + batch[0]!.sendAtMs / speed;
    const wait = dueMs - now();
    if (wait > 0) await sleep(wait);
    const toSend: DecodedRecord[] = [];
    const sources: WireRecord[] = [];
    for (const r of batch) {
      if (r.step !== null && r.phase === 'execution' && denied.has(r.step)) continue;
      if (r.gate && verdictsAvailable && r.step !== null) {
        const verdict = await askVerdict(baseUrl, sessionId, r.gate.tool, r.gate.command, options.token);
        if (verdict === null) verdictsAvailable = false;
        else if (!verdict.allow) denied.add(r.step);
      }
      toSend.push(r.record);
      sources.push(r);
    }
    if (toSend.length > 0) {
      const body = await exportRecords(baseUrl, signal, toSend, { encoding, token: options.token, sleep });
      const sentAtMs = now();
      requests++;
      decodeOtlp(signal, body, encoding === 'json' ? 'otlp_json' : 'otlp_proto').forEach((record, i) => {
        const { step, phase } = sources[i]!;
        if (step === null || phase === 'session') return;
        const id = eventIdFor(record, { tenant: options.tenant ?? DEFAULT_TENANT, sessionId: sessionIdOf(record), toolCallId: toolCallIdOf(record), phase });
        events.set(id, { step, phase, sentAtMs });
      });
    }
    for (const r of batch) {
      const skipped = r.step !== null && r.phase === 'execution' && denied.has(r.step);
      if (!skipped) sent++;
      options.onProgress?.({ sessionId, step: r.step, phase: r.phase, denied: r.step !== null && denied.has(r.step), sent, total: records.length });
    }
  }
  return {
    sessionId,
    requests,
    records: sent,
    deniedSteps: [...denied].sort((a, b) => a - b),
    events,
    eventStartMs: baseMs,
    eventEndMs: baseMs + firstPass.totalMs,
  };
}

/**
 * AuditEvent: THE data model. Every span or log record an agent harness sends becomes one
 * AuditEvent after normalization, classification and redaction. This is what ClickHouse stores,
 * what detectors read and what the API serves. Secrets never survive into an AuditEvent.
 */
export type Phase = 'intent' | 'execution' | 'session';
export type Severity = 'none' | 'low' | 'medium' | 'high' | 'critical';
export type Outcome = 'ok' | 'error' | 'unset';

export interface AuditEvent {
  /** Deterministic id derived from the source record, so a redelivered record keeps its id. */
  event_id: string;
  tenant: string;
  session_id: string;
  agent_id: string;
  user_id: string;
  /** Which mapping produced it: `otel`, `claude_code`, `codex`, `hook`, … */
  source: string;
  signal: 'traces' | 'logs';
  /** Span name or log event name. */
  name: string;
  trace_id: string;
  span_id: string;
  parent_span_id: string;
  phase: Phase;
  tool: string;
  tool_call_id: string;
  /** Shell command (redacted), empty when the action is not a command. */
  command: string;
  /** Tool arguments as a JSON string (redacted). */
  arguments: string;
  cwd: string;
  targets: string[];
  /** e.g. `fs.delete`, `git.force_push`, `k8s.delete`, `none`. */
  action_class: string;
  rule_ids: string[];
  destructive: boolean;
  reversible: boolean;
  severity: Severity;
  environment: string;
  /** Session declarations carried by this event (empty when absent). */
  goal: string;
  scope_allow: string[];
  scope_deny: string[];
  /** Tool decision for intents (`accept`, `reject`, …), empty otherwise. */
  decision: string;
  status: Outcome;
  exit_code: number | null;
  error_type: string;
  /** Decimal nanoseconds since the epoch. */
  time_ns: string;
  end_time_ns: string;
  observed_ns: string;
  /** Everything not mapped above, stringified and redacted. Unknown fields are kept. */
  attributes: Record<string, string>;
  /** How many secrets were replaced in this event. */
  redactions: number;
}

/**
 * The latest time an AuditEvent can carry: 2106-02-07T06:28:15.999999999Z. The DateTime64(9)
 * column holds up to 2262, but the table's TTL reads the time as a DateTime (UInt32 seconds),
 * which wraps past 2106: a later row would be stored, then deleted by the TTL as if long expired.
 */
export const MAX_EVENT_NS = '4294967295999999999';

/** MAX_EVENT_NS as an ISO 8601 date, for messages. */
export const MAX_EVENT_TIME = '2106-02-07T06:28:15.999999999Z';

/** True for decimal nanoseconds that storage can hold (1 to 19 digits, at most MAX_EVENT_NS). */
export function isStorableNs(ns: string): boolean {
  return /^\d{1,19}$/.test(ns) && (ns.length < 19 || ns <= MAX_EVENT_NS);
}

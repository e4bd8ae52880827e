/**
 * AuditEvent <-> `audit_events` row. Times travel as decimal nanosecond strings in the AuditEvent
 * and as `DateTime64(9, 'UTC')` in ClickHouse: they are converted digit by digit (whole seconds
 * through Date, the nine fraction digits copied as text), never through a float, so
 * 1763740800123456789 stays exact. An empty time is stored as the epoch and reads back as "0".
 * Reads select the times as `toUnixTimestamp64Nano(...)` strings (EVENT_SELECT_COLUMNS).
 */
import { PermanentError } from '../lib/errors.js';
import { isStorableNs, MAX_EVENT_TIME, type AuditEvent, type Outcome, type Phase, type Severity } from '../model/audit-event.js';

export function nsToDateTime64(ns: string, field = 'time'): string {
  const value = ns === '' ? '0' : ns;
  if (!isStorableNs(value)) {
    throw new PermanentError('INVALID_EVENT', `${field} is not decimal nanoseconds up to ${MAX_EVENT_TIME} (what the table keeps)`, {
      details: { field, value: ns.slice(0, 40) },
    });
  }
  const padded = value.padStart(10, '0');
  const seconds = padded.slice(0, -9);
  // Events of a batch share a few seconds (start, end, observed): each second's date is formatted once.
  let prefix = prefixes.get(seconds);
  if (prefix === undefined) {
    const iso = new Date(Number(seconds) * 1000).toISOString();
    prefix = `${iso.slice(0, 10)} ${iso.slice(11, 19)}.`;
    if (prefixes.size >= MAX_PREFIXES) prefixes.clear();
    prefixes.set(seconds, prefix);
  }
  return prefix + padded.slice(-9);
}

/** Whole seconds → their `YYYY-MM-DD hh:mm:ss.` text; emptied when full. */
const prefixes = new Map<string, string>();
const MAX_PREFIXES = 256;

/**
 * The shape written to `audit_events` (inserted_at is left to its default): the AuditEvent with
 * its three nanosecond times in DateTime64(9) text form. Rows are written as arrays
 * (`compactRowOf`); this type names their columns.
 */
export type AuditEventRow = Omit<AuditEvent, 'time_ns' | 'end_time_ns' | 'observed_ns'> & {
  time: string;
  end_time: string;
  observed: string;
};

/** Insert column order: rows go to ClickHouse as JSONCompactEachRow arrays (no repeated keys). */
export const INSERT_COLUMNS = [
  'event_id', 'tenant', 'session_id', 'agent_id', 'user_id', 'source', 'signal', 'name',
  'trace_id', 'span_id', 'parent_span_id', 'phase', 'tool', 'tool_call_id', 'command',
  'arguments', 'cwd', 'targets', 'action_class', 'rule_ids', 'destructive', 'reversible',
  'severity', 'environment', 'goal', 'scope_allow', 'scope_deny', 'decision', 'status',
  'exit_code', 'error_type', 'time', 'end_time', 'observed', 'attributes', 'redactions',
] as const satisfies readonly (keyof AuditEventRow)[];

/** One event as its JSONCompactEachRow array, in INSERT_COLUMNS order: what the insert serializes. */
export function compactRowOf(e: AuditEvent): unknown[] {
  return [
    e.event_id, e.tenant, e.session_id, e.agent_id, e.user_id, e.source, e.signal, e.name,
    e.trace_id, e.span_id, e.parent_span_id, e.phase, e.tool, e.tool_call_id, e.command,
    e.arguments, e.cwd, e.targets, e.action_class, e.rule_ids, e.destructive, e.reversible,
    e.severity, e.environment, e.goal, e.scope_allow, e.scope_deny, e.decision, e.status,
    e.exit_code, e.error_type,
    nsToDateTime64(e.time_ns, 'time_ns'), nsToDateTime64(e.end_time_ns, 'end_time_ns'), nsToDateTime64(e.observed_ns, 'observed_ns'),
    e.attributes, e.redactions,
  ];
}

/** Column list that reads an `audit_events` row back in AuditEvent shape. */
export const EVENT_SELECT_COLUMNS = [
  'event_id', 'tenant', 'session_id', 'agent_id', 'user_id', 'source', 'signal', 'name',
  'trace_id', 'span_id', 'parent_span_id', 'phase', 'tool', 'tool_call_id', 'command',
  'arguments', 'cwd', 'targets', 'action_class', 'rule_ids', 'destructive', 'reversible',
  'severity', 'environment', 'goal', 'scope_allow', 'scope_deny', 'decision', 'status',
  'exit_code', 'error_type',
  'toString(toUnixTimestamp64Nano(time)) AS time_ns',
  'toString(toUnixTimestamp64Nano(end_time)) AS end_time_ns',
  'toString(toUnixTimestamp64Nano(observed)) AS observed_ns',
  'attributes', 'redactions',
].join(', ');

/** Row as selected with EVENT_SELECT_COLUMNS; narrows the string unions of the data model. */
export type SelectedEventRow = Omit<AuditEvent, 'phase' | 'severity' | 'status' | 'signal'> & {
  phase: string;
  severity: string;
  status: string;
  signal: string;
};

export function fromRow(row: SelectedEventRow): AuditEvent {
  return {
    ...row,
    signal: row.signal as AuditEvent['signal'],
    phase: row.phase as Phase,
    severity: row.severity as Severity,
    status: row.status as Outcome,
    redactions: Number(row.redactions),
    exit_code: row.exit_code === null ? null : Number(row.exit_code),
  };
}

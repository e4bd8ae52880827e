/**
 * Deterministic event ids: the same source record, redelivered (Kafka replay, OTLP retry, the
 * same record sent once as protobuf and once as JSON), always gets the same id, so storage can
 * de-duplicate; two different records get different ids. A span is identified by its trace and
 * span ids; a log record (and a span lacking ids) by its times, ids, name and a canonical
 * (key-sorted) form of its body, attributes, resource and scope. sha256, first 32 hex chars.
 *
 * An intended action that names its tool call is the exception (`callEventId`): the same intent
 * often arrives more than once, as different records — the gate's hook payload, the agent's own
 * telemetry for that call (Claude Code's `tool_decision`, Codex's `codex.tool_decision`, a
 * harness's intent span), the same hook installed twice — and each must become the one event of
 * that call. Its id is derived from the call, not the record: tenant, session, tool-call id and
 * phase. Still deterministic (a replay or a redelivery computes it again); a different call, or
 * an intent without a call id or a session, keeps the per-record id. The tool-call id must be
 * unique within its session, as the agents' own ids are (`toolu_…`, `call_…`).
 */
import { hash } from 'node:crypto';
import type { Attributes, DecodedRecord } from '../decode/otlp/records.js';
import { canonicalJson } from '../decode/otlp/values.js';

/** Resources are shared by every record of a batch: canonicalise each object once. */
const resourceText = new WeakMap<Attributes, string>();

function canonicalResource(resource: Attributes): string {
  let text = resourceText.get(resource);
  if (text === undefined) {
    text = canonicalJson(resource);
    resourceText.set(resource, text);
  }
  return text;
}

/** The id of an intent that names its tool call: one per (tenant, session, tool call, phase). */
export function callEventId(tenant: string, sessionId: string, toolCallId: string, phase: string): string {
  return hash('sha256', `call\n${tenant}\n${sessionId}\n${toolCallId}\n${phase}`, 'hex').slice(0, 32);
}

/** The id a normalized record gets: derived from its call for an intent naming one, else from the record. */
export function eventIdFor(record: DecodedRecord, of: { tenant: string; sessionId: string; toolCallId: string; phase: string }): string {
  if (of.phase === 'intent' && of.toolCallId !== '' && of.sessionId !== '') return callEventId(of.tenant, of.sessionId, of.toolCallId, of.phase);
  return eventIdOf(record);
}

export function eventIdOf(record: DecodedRecord): string {
  // One-shot hashes of the concatenated text (the same digest as one update per piece).
  if (record.signal === 'traces' && record.traceId !== '' && record.spanId !== '') {
    return hash('sha256', `traces\n${record.traceId}\n${record.spanId}`, 'hex').slice(0, 32);
  }
  const scope = record.scope ? `${record.scope.name}\n${record.scope.version}` : '\n';
  let head: string;
  if (record.signal === 'traces') {
    head = `traces\n${record.startTimeUnixNano}\n${record.endTimeUnixNano}\n${record.name}\n${scope}\n`;
  } else {
    const time = record.timeUnixNano && record.timeUnixNano !== '0' ? record.timeUnixNano : record.observedTimeUnixNano;
    head = `logs\n${time}\n${record.traceId}\n${record.spanId}\n${record.eventName}\n${scope}\n${canonicalJson(record.body)}\n`;
  }
  const text = `${head}${canonicalJson(record.attributes)}\n${canonicalResource(record.resource ?? {})}`;
  return hash('sha256', text, 'hex').slice(0, 32);
}

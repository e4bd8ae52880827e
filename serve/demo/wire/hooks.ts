/**
 * Agent hooks (Claude Code's PreToolUse / PostToolUse, the same JSON in Codex, Copilot CLI and
 * Cursor) forwarded to Warden as OTLP logs by a hook forwarder: the hook's JSON payload is the
 * log body (a key-value list for the PreToolUse, JSON text for the PostToolUse, both forms the
 * forwarder uses), the hook event name the record's event name. A PreToolUse is the intent and
 * carries the full `tool_input` and `cwd`; before letting the tool run the hook asks Warden for a
 * verdict, so a replay can honour a revocation the way a real hook would.
 */
import type { AnyValue, Attributes, DecodedLogRecord } from '../../../decode/otlp/records.js';
import { type BuildInput, type WireRecord, type WireSession, argumentsOf, byExportTime, commandOf, failure, nanos, sessionStartLog } from './wire-record.js';

const SCOPE = { name: 'warden.hook', version: '0.1.0' };

export function hookLogs(input: BuildInput): WireSession {
  const { session, plan, baseMs } = input;
  const sessionId = plan.sessionId;
  const resource: Attributes = { 'service.name': 'warden-hook', 'gen_ai.agent.name': session.agent };
  const transcript = `/home/dev/.claude/projects/${session.session.cwd.replace(/\//g, '-')}/${sessionId}.jsonl`;
  const log = (offsetMs: number, event: string, payload: Record<string, AnyValue>, asText: boolean): DecodedLogRecord => {
    const body = { session_id: sessionId, transcript_path: transcript, permission_mode: 'default', hook_event_name: event, ...payload };
    return {
      signal: 'logs',
      resource,
      scope: SCOPE,
      timeUnixNano: nanos(baseMs, offsetMs),
      observedTimeUnixNano: '0',
      severityNumber: 0,
      severityText: '',
      body: asText ? JSON.stringify(body) : body,
      attributes: {},
      traceId: '',
      spanId: '',
      eventName: event,
    };
  };

  const out: WireRecord[] = [
    sessionStartLog(input, resource),
    { sendAtMs: 0, record: log(0, 'SessionStart', { source: 'startup', cwd: session.session.cwd }, false), step: null, phase: 'session' },
  ];
  if (session.session.goal_via === 'prompt') {
    const payload = { prompt: session.session.goal, cwd: session.session.cwd };
    out.push({ sendAtMs: 1, record: log(1, 'UserPromptSubmit', payload, false), step: null, phase: 'session' });
  }
  for (const p of plan.steps) {
    const base = { cwd: p.cwd, tool_name: p.step.tool, tool_use_id: p.callId };
    if (p.intentAtMs !== null) {
      const record = log(p.intentAtMs, 'PreToolUse', { ...base, tool_input: argumentsOf(p.step, true) as Record<string, AnyValue> }, false);
      out.push({ sendAtMs: p.intentAtMs, record, step: p.index, phase: 'intent', gate: { tool: p.step.tool, command: commandOf(p.step, true) } });
    }
    if (p.execEndMs === null) continue;
    const error = failure(p.step);
    const toolInput = argumentsOf(p.step) as Record<string, AnyValue>;
    const record =
      error === null
        ? log(p.execEndMs, 'PostToolUse', { ...base, tool_input: toolInput, tool_response: { stdout: '', stderr: '', interrupted: false } }, true)
        : log(p.execEndMs, 'PostToolUseFailure', { ...base, tool_input: toolInput, error }, true);
    out.push({ sendAtMs: p.execEndMs, record, step: p.index, phase: 'execution' });
  }
  return { signal: 'logs', records: byExportTime(out) };
}

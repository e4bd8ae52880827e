/**
 * Codex CLI's own telemetry (`[otel]` in config.toml, OTLP logs): events named `codex.*` in the
 * `event.name` attribute, the session in `conversation.id`, `call_id` pairing a
 * `codex.tool_decision` (the intent: tool name and decision, no arguments) with the
 * `codex.tool_result` logged when the tool finishes. Shell calls carry their command as an argv
 * array (`["bash", "-lc", "…"]`) beside `workdir`; failures say `success: "false"` and put the
 * tool's output in `output`.
 */
import type { Attributes, DecodedLogRecord } from '../../../decode/otlp/records.js';
import type { PlannedStep } from '../timeline.js';
import { type BuildInput, type WireRecord, type WireSession, byExportTime, failure, nanos, sessionStartLog } from './wire-record.js';

const SCOPE = { name: 'codex_otel', version: '0.46.0' };

function codexArguments(p: PlannedStep): Record<string, unknown> {
  if (p.step.command === undefined) return { ...(p.step.arguments ?? {}) };
  return { command: ['bash', '-lc', p.step.command], workdir: p.cwd, timeout_ms: 120000, ...(p.step.arguments ?? {}) };
}

export function codexLogs(input: BuildInput): WireSession {
  const { session, plan, baseMs } = input;
  const user = session.session.user ?? 'dev@example.com';
  const resource: Attributes = { 'service.name': 'codex_cli_rs', 'service.version': '0.46.0', env: session.session.environment ?? 'dev' };
  const common: Attributes = {
    'conversation.id': plan.sessionId,
    'app.version': '0.46.0',
    auth_mode: 'ChatGPT',
    'user.account_id': `acct_${user.length}`,
    'user.email': user,
    'terminal.type': 'iTerm.app',
    model: 'gpt-5-codex',
    slug: 'gpt-5-codex',
  };
  const log = (offsetMs: number, name: string, attrs: Attributes): DecodedLogRecord => ({
    signal: 'logs',
    resource,
    scope: SCOPE,
    timeUnixNano: nanos(baseMs, offsetMs),
    observedTimeUnixNano: '0',
    severityNumber: 0,
    severityText: '',
    body: null,
    attributes: { 'event.name': `codex.${name}`, 'event.timestamp': new Date(baseMs + offsetMs).toISOString(), ...common, ...attrs },
    traceId: '',
    spanId: '',
    eventName: '',
  });

  const out: WireRecord[] = [
    sessionStartLog(input, resource),
    { sendAtMs: 0, record: log(0, 'conversation_starts', { approval_policy: 'on-request', sandbox_policy: 'workspace-write', provider_name: 'openai' }), step: null, phase: 'session' },
  ];
  if (session.session.goal_via === 'prompt') {
    const goal = session.session.goal;
    out.push({ sendAtMs: 1, record: log(1, 'user_prompt', { prompt_length: String(goal.length), prompt: goal }), step: null, phase: 'session' });
  }
  for (const p of plan.steps) {
    const approved = (p.step.decision ?? 'accept') === 'accept';
    if (p.intentAtMs !== null) {
      const attrs = { tool_name: p.step.tool, call_id: p.callId, decision: approved ? 'approved' : 'denied', source: approved ? 'config' : 'user' };
      out.push({ sendAtMs: p.intentAtMs, record: log(p.intentAtMs, 'tool_decision', attrs), step: p.index, phase: 'intent' });
    }
    if (p.execStartMs === null || p.execEndMs === null) continue;
    const error = failure(p.step);
    const attrs: Attributes = {
      tool_name: p.step.tool,
      call_id: p.callId,
      arguments: JSON.stringify(codexArguments(p)),
      duration_ms: String(p.execEndMs - p.execStartMs),
      success: error === null ? 'true' : 'false',
      output: error ?? '',
    };
    out.push({ sendAtMs: p.execEndMs, record: log(p.execEndMs, 'tool_result', attrs), step: p.index, phase: 'execution' });
  }
  return { signal: 'logs', records: byExportTime(out) };
}

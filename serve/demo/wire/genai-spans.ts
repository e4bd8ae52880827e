/**
 * An agent instrumented with an OpenTelemetry SDK following the GenAI semantic conventions:
 * one `execute_tool <tool>` span per tool call (`gen_ai.tool.name`, `gen_ai.tool.call.id`,
 * `gen_ai.tool.call.arguments` as JSON text, the session in `gen_ai.conversation.id`), exported
 * when it ends, under an `invoke_agent` span that wraps the whole session and so arrives last.
 * A harness that writes intent receipts adds a zero-length span with `warden.action.phase =
 * intent` before the tool runs. Failures set the span status, `error.type` and, for shell
 * commands, `process.exit.code`.
 */
import type { Attributes, DecodedSpan } from '../../../decode/otlp/records.js';
import { hexId, type PlannedStep } from '../timeline.js';
import { type BuildInput, HARNESS_SCOPE, type WireRecord, type WireSession, argumentsOf, byExportTime, failure, nanos, sessionStartSpan } from './wire-record.js';

export function genaiSpans(input: BuildInput): WireSession {
  const { session, plan, baseMs } = input;
  const sessionId = plan.sessionId;
  const environment = session.session.environment;
  const resource: Attributes = {
    'service.name': session.agent,
    'gen_ai.agent.name': session.agent,
    ...(environment === undefined ? {} : { 'deployment.environment.name': environment }),
  };
  const traceId = hexId(16, sessionId, 'trace');
  const rootId = hexId(8, sessionId, 'invoke_agent');
  const span = (name: string, spanId: string, startMs: number, endMs: number, attributes: Attributes, over: Partial<DecodedSpan> = {}): DecodedSpan => ({
    signal: 'traces',
    resource,
    scope: HARNESS_SCOPE,
    traceId,
    spanId,
    parentSpanId: rootId,
    name,
    kind: 1,
    startTimeUnixNano: nanos(baseMs, startMs),
    endTimeUnixNano: nanos(baseMs, endMs),
    attributes,
    events: [],
    status: { code: 0, message: '' },
    ...over,
  });
  const toolAttributes = (p: PlannedStep, intent: boolean): Attributes => ({
    'gen_ai.operation.name': 'execute_tool',
    'gen_ai.tool.name': p.step.tool,
    'gen_ai.tool.call.id': p.callId,
    'gen_ai.tool.call.arguments': JSON.stringify(argumentsOf(p.step, intent)),
    'gen_ai.conversation.id': sessionId,
    'warden.action.cwd': p.cwd,
  });

  const out: WireRecord[] = [sessionStartSpan(input, resource, traceId)];
  for (const p of plan.steps) {
    if (p.intentAtMs !== null) {
      const attrs = { ...toolAttributes(p, true), 'warden.action.phase': 'intent' };
      const record = span(`execute_tool ${p.step.tool}`, hexId(8, sessionId, p.index, 'intent'), p.intentAtMs, p.intentAtMs, attrs);
      out.push({ sendAtMs: p.intentAtMs, record, step: p.index, phase: 'intent' });
    }
    if (p.execStartMs === null || p.execEndMs === null) continue;
    const error = failure(p.step);
    const attrs: Attributes = { ...toolAttributes(p, false) };
    if (p.step.command !== undefined) attrs['process.exit.code'] = error === null ? 0 : (p.step.exit_code ?? 1);
    if (error !== null) attrs['error.type'] = 'ToolError';
    const over: Partial<DecodedSpan> =
      error === null
        ? { status: { code: 1, message: '' } }
        : {
            status: { code: 2, message: error },
            events: [{ name: 'exception', timeUnixNano: nanos(baseMs, p.execEndMs), attributes: { 'exception.type': 'ToolError', 'exception.message': error } }],
          };
    const record = span(`execute_tool ${p.step.tool}`, hexId(8, sessionId, p.index, 'execution'), p.execStartMs, p.execEndMs, attrs, over);
    out.push({ sendAtMs: p.execEndMs, record, step: p.index, phase: 'execution' });
  }
  const endMs = plan.totalMs + 400;
  const root = span(`invoke_agent ${session.agent}`, rootId, 0, endMs, { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': session.agent, 'session.id': sessionId }, { parentSpanId: '' });
  out.push({ sendAtMs: endMs, record: root, step: null, phase: 'session' });
  return { signal: 'traces', records: byExportTime(out) };
}

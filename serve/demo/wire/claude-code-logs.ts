/**
 * Claude Code's own telemetry (`CLAUDE_CODE_ENABLE_TELEMETRY=1`, `OTEL_LOG_TOOL_DETAILS=1`, OTLP
 * logs) for a session: under the instrumentation scope `com.anthropic.claude_code.events`, the body
 * holds the full event name and `event.name` the short one; every event carries `user.id`, an
 * anonymous installation id. A tool call is a `claude_code.tool_decision` (the intent: tool name,
 * `tool_use_id`, decision) and a `claude_code.tool_result` logged when the tool finishes. Both carry
 * `tool_parameters` (JSON text): for Bash `bash_command` is only the FIRST WORD of the command and
 * `full_command` all of it; for MCP tools only the server and tool names — such a tool is logged
 * as `mcp_tool`, never by its name. The result also carries `tool_input` (the call's arguments)
 * and, on failure, `error_type` (the category) and `error` (the message). That is what Warden gets.
 */
import type { Attributes, DecodedLogRecord } from '../../../decode/otlp/records.js';
import type { SessionStep } from '../session-file.js';
import { hexId } from '../timeline.js';
import { type BuildInput, type WireRecord, type WireSession, argumentsOf, byExportTime, commandOf, failure, nanos, sessionStartLog } from './wire-record.js';

const SCOPE = { name: 'com.anthropic.claude_code.events', version: '2.0.14' };

function toolParameters(step: SessionStep): string | undefined {
  if (step.tool === 'Bash') {
    const command = commandOf(step);
    const description = typeof step.arguments?.description === 'string' ? step.arguments.description : undefined;
    const firstWord = command.trim().split(/\s+/)[0] ?? '';
    return JSON.stringify({ bash_command: firstWord, full_command: command, timeout: 120000, ...(description ? { description } : {}) });
  }
  const mcp = mcpNames(step.tool);
  if (mcp) return JSON.stringify({ mcp_server_name: mcp.server, mcp_tool_name: mcp.tool });
  return undefined;
}

function mcpNames(tool: string): { server: string; tool: string } | undefined {
  const [prefix, server, ...rest] = tool.split('__');
  return prefix === 'mcp' && server && rest.length > 0 ? { server, tool: rest.join('__') } : undefined;
}

/** Claude Code's tool name in telemetry: user MCP tools are all `mcp_tool`. */
function loggedToolName(tool: string): string {
  return mcpNames(tool) ? 'mcp_tool' : tool;
}

export function claudeCodeLogs(input: BuildInput): WireSession {
  const { session, plan, baseMs } = input;
  const sessionId = plan.sessionId;
  const user = session.session.user ?? 'dev@example.com';
  const resource: Attributes = { 'service.name': 'claude-code', 'service.version': '2.0.14', 'os.type': 'linux', 'host.arch': 'x64' };
  const common: Attributes = {
    'session.id': sessionId,
    'user.id': hexId(32, `install:${user}`),
    'user.account_uuid': hexId(16, user).replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-'),
    'organization.id': 'org-7f3a',
    'user.email': user,
    'terminal.type': 'vscode',
    'app.version': '2.0.14',
  };
  const log = (offsetMs: number, name: string, attrs: Attributes): DecodedLogRecord => ({
    signal: 'logs',
    resource,
    scope: SCOPE,
    timeUnixNano: nanos(baseMs, offsetMs),
    observedTimeUnixNano: nanos(baseMs, offsetMs),
    severityNumber: 9,
    severityText: 'INFO',
    body: `claude_code.${name}`,
    attributes: { ...common, 'event.name': name, 'event.timestamp': new Date(baseMs + offsetMs).toISOString(), ...attrs },
    traceId: '',
    spanId: '',
    eventName: '',
  });

  const out: WireRecord[] = [sessionStartLog(input, resource)];
  if (session.session.goal_via === 'prompt') {
    const goal = session.session.goal;
    out.push({ sendAtMs: 1, record: log(1, 'user_prompt', { prompt_length: String(goal.length), prompt: goal }), step: null, phase: 'session' });
  }
  for (const p of plan.steps) {
    const decision = p.step.decision ?? 'accept';
    if (p.intentAtMs !== null) {
      const intentParams = toolParameters(p.step);
      const attrs: Attributes = {
        decision,
        source: decision === 'accept' ? 'config' : 'user_reject',
        tool_name: loggedToolName(p.step.tool),
        tool_use_id: p.callId,
        ...(intentParams === undefined ? {} : { tool_parameters: intentParams }),
      };
      out.push({ sendAtMs: p.intentAtMs, record: log(p.intentAtMs, 'tool_decision', attrs), step: p.index, phase: 'intent' });
    }
    if (p.execStartMs === null || p.execEndMs === null) continue;
    const error = failure(p.step);
    const params = toolParameters(p.step);
    const attrs: Attributes = {
      tool_name: loggedToolName(p.step.tool),
      tool_use_id: p.callId,
      success: error === null ? 'true' : 'false',
      duration_ms: String(p.execEndMs - p.execStartMs),
      decision_type: decision,
      decision_source: 'config',
      ...(error === null ? {} : { error_type: p.step.tool === 'Bash' ? 'ShellError' : 'Error', error }),
      ...(params === undefined ? {} : { tool_parameters: params }),
      tool_input: JSON.stringify(argumentsOf(p.step)),
    };
    out.push({ sendAtMs: p.execEndMs, record: log(p.execEndMs, 'tool_result', attrs), step: p.index, phase: 'execution' });
  }
  return { signal: 'logs', records: byExportTime(out) };
}

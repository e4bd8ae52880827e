/**
 * A hook's stdin JSON (Claude Code and Codex share the shape: session_id, hook_event_name,
 * tool_name, tool_input, tool_use_id, cwd, …) and the OTLP log record it is forwarded as. Other
 * agents' adapters (Copilot, Cursor, Windsurf, Gemini CLI) read their own payloads into the same
 * common record — Claude Code's event names and Warden's tool names, the agent's own event and
 * tool names kept beside them as `agent_event` / `agent_tool`. The
 * record carries the fields `normalize/sources/hooks.yaml` maps — session_id,
 * hook_event_name, tool_name, tool_input (as JSON text), tool_use_id, cwd — as attributes, and
 * the hook event name as the record's event name, so PreToolUse becomes an intent and
 * PostToolUse an execution paired by tool_use_id. Tool responses are not forwarded (they can
 * be large and hold file contents); a failure's `error` is.
 */
import type { DecodedLogRecord } from '../../decode/otlp/records.js';

export interface HookInput {
  session_id: string;
  hook_event_name: string;
  tool_name: string;
  tool_input: unknown;
  tool_use_id: string;
  cwd: string;
  /** Everything else the agent sent. */
  raw: Record<string, unknown>;
  /** The agent's own event name, when the adapter renamed it (Cursor's `beforeShellExecution`, …). */
  agent_event?: string;
  /** The agent's own tool name, when the adapter renamed it (Gemini's `run_shell_command`, …). */
  agent_tool?: string;
  /** Fields the adapter read from the agent's own payload to keep with the event (prompt, error, …). */
  attributes?: Record<string, string | boolean>;
}

const str = (value: unknown): string => (typeof value === 'string' ? value : '');

/** JSON text of a hook's stdin; a leading byte order mark (Cursor sends one) is skipped. */
export function parseHookJson(text: string): unknown {
  return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
}

/** Parses stdin; throws on anything that is not a JSON object naming a session and an event. */
export function parseHookInput(text: string): HookInput {
  return hookInputOf(parseHookJson(text));
}

/** The same check for a payload already parsed (the hook endpoint's JSON body). */
export function hookInputOf(raw: unknown): HookInput {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new Error('hook input is not a JSON object');
  const obj = raw as Record<string, unknown>;
  const input: HookInput = {
    session_id: str(obj.session_id),
    hook_event_name: str(obj.hook_event_name),
    tool_name: str(obj.tool_name),
    tool_input: obj.tool_input ?? null,
    tool_use_id: str(obj.tool_use_id),
    cwd: str(obj.cwd),
    raw: obj,
  };
  if (input.session_id === '') throw new Error('hook input has no session_id');
  if (input.hook_event_name === '') throw new Error('hook input has no hook_event_name');
  return input;
}

/** The shell command of a tool call, when it has one (`tool_input.command`). */
export function commandOf(input: HookInput): string {
  const toolInput = input.tool_input;
  if (toolInput !== null && typeof toolInput === 'object' && !Array.isArray(toolInput)) {
    return str((toolInput as Record<string, unknown>).command);
  }
  return '';
}

/** Extra fields worth keeping with the event (attributes Warden stores as unmapped). */
const PASSTHROUGH = ['permission_mode', 'model', 'turn_id', 'agent_id', 'agent_type', 'error', 'is_interrupt', 'source', 'prompt'];

export function hookLogRecord(input: HookInput, serviceName: string, nowNs: bigint): DecodedLogRecord {
  const attributes: Record<string, string | boolean> = {
    hook_event_name: input.hook_event_name,
    session_id: input.session_id,
    cwd: input.cwd,
  };
  if (input.tool_name !== '') attributes.tool_name = input.tool_name;
  if (input.tool_use_id !== '') attributes.tool_use_id = input.tool_use_id;
  if (input.tool_input !== null) attributes.tool_input = JSON.stringify(input.tool_input);
  for (const key of PASSTHROUGH) {
    const value = input.raw[key];
    if (typeof value === 'string' || typeof value === 'boolean') attributes[key] = value;
  }
  if (input.agent_event) attributes.agent_event = input.agent_event;
  if (input.agent_tool) attributes.agent_tool = input.agent_tool;
  for (const [key, value] of Object.entries(input.attributes ?? {})) if (value !== '') attributes[key] = value;
  const time = nowNs.toString();
  return {
    signal: 'logs',
    resource: { 'service.name': serviceName },
    scope: { name: 'warden.hook', version: '0.1.0' },
    timeUnixNano: time,
    observedTimeUnixNano: time,
    severityNumber: 9,
    severityText: 'INFO',
    body: null,
    attributes,
    traceId: '',
    spanId: '',
    eventName: input.hook_event_name,
  };
}

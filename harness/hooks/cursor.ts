/**
 * Cursor's hook adapter (`.cursor/hooks.json` in a project, `~/.cursor/hooks.json`, or the
 * enterprise file). Every payload carries `conversation_id` (the session), `generation_id` (the
 * turn), `hook_event_name`, `model`, `cursor_version`, `workspace_roots`; stdin may start with a
 * byte order mark. The events Warden reads:
 *
 * | Cursor event | common record | tool, arguments |
 * |---|---|---|
 * | `beforeShellExecution` / `afterShellExecution` | PreToolUse / PostToolUse | `Bash`, `{command}` (top-level `command`, `cwd`) |
 * | `beforeMCPExecution` / `afterMCPExecution` | PreToolUse / PostToolUse | `mcp__<mcp_server_name>__<tool_name>`, `tool_input` (JSON text) |
 * | `preToolUse` / `postToolUse` / `postToolUseFailure` | PreToolUse / PostToolUse / PostToolUseFailure | `tool_name` (`Shell` → `Bash`, `Delete` → `DeleteFile`, `MCP:<tool>` → `mcp__<tool>`), `tool_input`, `tool_use_id` |
 * | `beforeReadFile` | PreToolUse | `Read`, `{file_path}` (the file's content is not forwarded) |
 * | `afterFileEdit` | PostToolUse | `Edit`, `{file_path, edits}` |
 * | `beforeSubmitPrompt` / `sessionStart` / `sessionEnd` | UserPromptSubmit / SessionStart / SessionEnd | — |
 *
 * Answers are JSON on stdout, exit 0, for every event — a hook configured `"failClosed": true`
 * treats output that is not JSON as a failure and blocks: allow `{"permission": "allow"}`; deny
 * `{"permission": "deny", "user_message", "agent_message"}` (the reason for the person and for
 * the model); ask `{"permission": "ask", …}` only at `beforeShellExecution` and
 * `beforeMCPExecution` — at `preToolUse` Cursor accepts but does not enforce ask, so the gate's
 * ask is a deny there, saying a person must approve. Other events get `{}` (`beforeSubmitPrompt`:
 * `{"continue": true}`). Cursor lets a call through when a hook fails or times out unless the
 * hook is configured `"failClosed": true`.
 */
import type { HookAdapter, HookAnswer, HookResult } from './run-hook.js';
import type { HookInput } from './hook-event.js';
import { argumentsOf, commonInput, fieldsOf, mcpToolName, payloadObject, reasonText, str, toolNameFrom, type CommonFields, type Fields } from './payload-fields.js';

const TOOLS: Readonly<Record<string, string>> = { shell: 'Bash', delete: 'DeleteFile' };

/** Events at which Cursor honours `"permission": "ask"`. */
const ASKABLE = new Set(['beforeShellExecution', 'beforeMCPExecution']);
/** Events whose answer is a permission (the rest get `{}`). */
const PERMISSION_EVENTS = new Set(['beforeShellExecution', 'beforeMCPExecution', 'preToolUse', 'beforeReadFile', 'subagentStart']);

function toolOf(name: string): string {
  if (name.startsWith('MCP:')) return mcpToolName('', name.slice(4));
  return toolNameFrom(TOOLS, name);
}

function mcpCall(obj: Fields): Pick<CommonFields, 'tool_name' | 'agent_tool' | 'tool_input' | 'attributes'> {
  const server = str(obj.mcp_server_name);
  const tool = str(obj.tool_name);
  return { tool_name: mcpToolName(server, tool), agent_tool: tool, tool_input: argumentsOf(obj.tool_input), attributes: { mcp_server: server, mcp_tool: tool } };
}

function eventFields(event: string, obj: Fields): Omit<CommonFields, 'session_id' | 'agent_event' | 'cwd'> {
  const command = { tool_name: 'Bash', tool_input: { command: str(obj.command) } };
  const generic = { tool_name: toolOf(str(obj.tool_name)), agent_tool: str(obj.tool_name), tool_input: argumentsOf(obj.tool_input), tool_use_id: str(obj.tool_use_id) };
  switch (event) {
    case 'beforeShellExecution': return { hook_event_name: 'PreToolUse', ...command };
    case 'afterShellExecution': return { hook_event_name: 'PostToolUse', ...command };
    case 'beforeMCPExecution': return { hook_event_name: 'PreToolUse', ...mcpCall(obj) };
    case 'afterMCPExecution': return { hook_event_name: 'PostToolUse', ...mcpCall(obj) };
    case 'preToolUse': return { hook_event_name: 'PreToolUse', ...generic };
    case 'postToolUse': return { hook_event_name: 'PostToolUse', ...generic };
    case 'postToolUseFailure':
      return { hook_event_name: 'PostToolUseFailure', ...generic, attributes: { error: str(obj.error_message) || str(obj.failure_type), failure_type: str(obj.failure_type) } };
    case 'beforeReadFile': return { hook_event_name: 'PreToolUse', tool_name: 'Read', tool_input: { file_path: str(obj.file_path) } };
    case 'afterFileEdit': return { hook_event_name: 'PostToolUse', tool_name: 'Edit', tool_input: { file_path: str(obj.file_path), edits: Array.isArray(obj.edits) ? obj.edits : [] } };
    case 'beforeSubmitPrompt': return { hook_event_name: 'UserPromptSubmit' };
    case 'sessionStart': return { hook_event_name: 'SessionStart' };
    case 'sessionEnd': return { hook_event_name: 'SessionEnd', attributes: { end_reason: str(obj.reason) } };
    default: return { hook_event_name: event };
  }
}

export function readCursor(payload: unknown, event: string | undefined): HookInput {
  const obj = payloadObject(payload);
  const agentEvent = event || str(obj.hook_event_name);
  const roots = Array.isArray(obj.workspace_roots) ? obj.workspace_roots : [];
  const shellCwd = str(fieldsOf(obj.tool_input).working_directory);
  const fields = eventFields(agentEvent, obj);
  return commonInput(
    obj,
    {
      session_id: str(obj.conversation_id) || str(obj.session_id),
      agent_event: agentEvent,
      cwd: str(obj.cwd) || shellCwd || str(roots[0]),
      ...fields,
      attributes: { ...fields.attributes, turn_id: str(obj.generation_id) },
    },
    'conversation_id',
    'hook_event_name',
  );
}

const json = (value: unknown): HookResult => ({ exitCode: 0, stdout: `${JSON.stringify(value)}\n`, stderr: '' });

function eventOf(input: HookInput | null): string {
  return input === null ? '' : (input.agent_event ?? input.hook_event_name);
}

function deny(reason: string, input: HookInput | null): HookResult {
  if (eventOf(input) === 'beforeReadFile') return json({ permission: 'deny', user_message: reason });
  return json({ permission: 'deny', user_message: reason, agent_message: reason });
}

function pass(input: HookInput | null): HookResult {
  const event = eventOf(input);
  if (PERMISSION_EVENTS.has(event)) return json({ permission: 'allow' });
  return json(event === 'beforeSubmitPrompt' ? { continue: true } : {});
}

export const cursorAdapter: HookAdapter = {
  agent: 'cursor',
  gatedEvents: new Set(['PreToolUse']),
  canAsk: false,
  canAskAt: (input) => ASKABLE.has(eventOf(input)),
  read: readCursor,
  deny,
  unreadable: (reason) => deny(reason, null),
  letThrough: (_warning, input) => (input === null ? json({ permission: 'allow' }) : pass(input)),
  pass,
  answer: (answer: HookAnswer, input) => {
    if (answer.decision === 'allow') return json({ permission: 'allow' });
    const text = reasonText(answer.reason, answer.remedy);
    if (answer.decision === 'ask' && ASKABLE.has(eventOf(input))) return json({ permission: 'ask', user_message: text, agent_message: text });
    return deny(text, input);
  },
};

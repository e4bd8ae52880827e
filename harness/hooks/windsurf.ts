/**
 * Windsurf Cascade's hook adapter (`.windsurf/hooks.json` in a workspace,
 * `~/.codeium/windsurf/hooks.json`, or the system file). Every payload carries
 * `agent_action_name` (the event), `trajectory_id` (the Cascade conversation: the session),
 * `execution_id` (the turn), `timestamp` and `tool_info`; no tool-call id and no tool name — the
 * event says what the action is:
 *
 * | Cascade event | common record | tool, arguments |
 * |---|---|---|
 * | `pre_run_command` / `post_run_command` | PreToolUse / PostToolUse | `Bash`, `{command: tool_info.command_line}`, cwd `tool_info.cwd` |
 * | `pre_write_code` / `post_write_code` | PreToolUse / PostToolUse | `Edit`, `{file_path, edits}` |
 * | `pre_read_code` / `post_read_code` | PreToolUse / PostToolUse | `Read`, `{file_path}` |
 * | `pre_mcp_tool_use` / `post_mcp_tool_use` | PreToolUse / PostToolUse | `mcp__<mcp_server_name>__<mcp_tool_name>`, `mcp_tool_arguments` (the result is not forwarded) |
 * | `pre_user_prompt` | UserPromptSubmit | the prompt (the session's goal) |
 *
 * Cascade has no answer format: a pre-hook blocks the action by exiting 2, and the model (and,
 * with `show_output`, the user) sees stderr; exit 0 lets it run, and any other exit code too. So
 * deny is exit 2 with the reason on stderr, and so is a payload Warden cannot read (a post-hook
 * cannot block, it only shows the text). Cascade cannot ask a person: the gate's ask is a deny
 * whose reason says a person must approve. Warden never blocks a prompt.
 */
import type { HookAdapter, HookAnswer, HookResult } from './run-hook.js';
import type { HookInput } from './hook-event.js';
import { argumentsOf, commonInput, fieldsOf, mcpToolName, payloadObject, reasonText, str, type CommonFields, type Fields } from './payload-fields.js';

function actionFields(action: string, info: Fields): Omit<CommonFields, 'session_id' | 'agent_event'> {
  const phase = action.startsWith('pre_') ? 'PreToolUse' : 'PostToolUse';
  switch (action.replace(/^(pre|post)_/, '')) {
    case 'run_command':
      return { hook_event_name: phase, tool_name: 'Bash', tool_input: { command: str(info.command_line) }, cwd: str(info.cwd) };
    case 'write_code':
      return { hook_event_name: phase, tool_name: 'Edit', tool_input: { file_path: str(info.file_path), edits: Array.isArray(info.edits) ? info.edits : [] } };
    case 'read_code':
      return { hook_event_name: phase, tool_name: 'Read', tool_input: { file_path: str(info.file_path) } };
    case 'mcp_tool_use': {
      const server = str(info.mcp_server_name);
      const tool = str(info.mcp_tool_name);
      return { hook_event_name: phase, tool_name: mcpToolName(server, tool), agent_tool: tool, tool_input: argumentsOf(info.mcp_tool_arguments) ?? {}, attributes: { mcp_server: server, mcp_tool: tool } };
    }
    case 'user_prompt':
      return { hook_event_name: action === 'pre_user_prompt' ? 'UserPromptSubmit' : action, attributes: { prompt: str(info.user_prompt) } };
    default:
      return { hook_event_name: action };
  }
}

export function readWindsurf(payload: unknown, event: string | undefined): HookInput {
  const obj = payloadObject(payload);
  const action = event || str(obj.agent_action_name);
  const fields = actionFields(action, fieldsOf(obj.tool_info));
  return commonInput(
    obj,
    { session_id: str(obj.trajectory_id), agent_event: action, ...fields, attributes: { ...fields.attributes, turn_id: str(obj.execution_id) } },
    'trajectory_id',
    'agent_action_name',
  );
}

const block = (reason: string): HookResult => ({ exitCode: 2, stdout: '', stderr: `${reason}\n` });

export const windsurfAdapter: HookAdapter = {
  agent: 'windsurf',
  gatedEvents: new Set(['PreToolUse']),
  canAsk: false,
  read: readWindsurf,
  deny: (reason) => block(reason),
  unreadable: (reason) => block(reason),
  answer: (answer: HookAnswer) => (answer.decision === 'allow' ? { exitCode: 0, stdout: '', stderr: '' } : block(reasonText(answer.reason, answer.remedy))),
};

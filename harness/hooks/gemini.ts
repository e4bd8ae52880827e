/**
 * Gemini CLI's hook adapter (`hooks` in `.gemini/settings.json`, `~/.gemini/settings.json` or the
 * system settings). The payload has Claude Code's field names — `session_id`, `hook_event_name`,
 * `cwd`, `tool_name`, `tool_input`, `timestamp`, `transcript_path` — with Gemini's events and tool
 * names and no tool-call id:
 *
 * | Gemini event | common record |
 * |---|---|
 * | `BeforeTool` | PreToolUse |
 * | `AfterTool` | PostToolUse (PostToolUseFailure when `tool_response.error` is set) |
 * | `BeforeAgent` | UserPromptSubmit (the prompt: the session's goal) |
 * | `SessionStart` / `SessionEnd` | the same |
 *
 * Tools: `run_shell_command` → `Bash` (its `dir_path` resolved against `cwd`), `write_file` →
 * `Write`, `replace` → `Edit`, `read_file` / `read_many_files` → `Read`, `list_directory` → `LS`,
 * `glob` → `Glob`, `grep_search` → `Grep`, `web_fetch` → `WebFetch`; an MCP tool
 * (`mcp_<server>_<tool>`, with `mcp_context`) → `mcp__<server>__<tool>`.
 *
 * Answers, JSON on stdout with exit 0 (Gemini reads JSON whatever the exit code, and treats exit
 * 1 or no output as allow): allow `{}` (Gemini's own confirmation still applies); deny
 * `{"decision": "deny", "reason": …, "systemMessage": …}` — the reason goes to the model as the
 * tool's error, the message to the user; ask `{"decision": "ask", …}`, which Gemini's scheduler
 * turns into its confirmation prompt (in its source, not in its hook reference). A payload Warden
 * cannot read gets the deny. Gemini lets a call through when a hook times out (60 s by default) or
 * fails to start, so the client answers the fail mode itself.
 */
import { posix } from 'node:path';
import type { HookAdapter, HookAnswer, HookResult } from './run-hook.js';
import type { HookInput } from './hook-event.js';
import { argumentsOf, commonInput, fieldsOf, mcpToolName, payloadObject, reasonText, str, toolNameFrom, type CommonFields } from './payload-fields.js';

const EVENTS: Readonly<Record<string, string>> = { BeforeTool: 'PreToolUse', AfterTool: 'PostToolUse', BeforeAgent: 'UserPromptSubmit' };

const TOOLS: Readonly<Record<string, string>> = {
  run_shell_command: 'Bash',
  write_file: 'Write',
  replace: 'Edit',
  read_file: 'Read',
  read_many_files: 'Read',
  list_directory: 'LS',
  glob: 'Glob',
  grep_search: 'Grep',
  web_fetch: 'WebFetch',
  google_web_search: 'WebSearch',
};

export function readGemini(payload: unknown, event: string | undefined): HookInput {
  const obj = payloadObject(payload);
  const agentEvent = event || str(obj.hook_event_name);
  const agentTool = str(obj.tool_name);
  const args = argumentsOf(obj.tool_input);
  const mcp = fieldsOf(obj.mcp_context);
  const fields: CommonFields = {
    session_id: str(obj.session_id),
    hook_event_name: EVENTS[agentEvent] ?? agentEvent,
    agent_event: agentEvent,
    cwd: str(obj.cwd),
    attributes: {},
  };
  if (agentTool !== '') {
    fields.agent_tool = agentTool;
    fields.tool_input = args;
    if (str(mcp.server_name) !== '') {
      fields.tool_name = mcpToolName(str(mcp.server_name), str(mcp.tool_name));
      fields.attributes = { mcp_server: str(mcp.server_name), mcp_tool: str(mcp.tool_name) };
    } else {
      fields.tool_name = toolNameFrom(TOOLS, agentTool);
    }
    const dir = str(args?.dir_path);
    if (fields.tool_name === 'Bash' && dir !== '' && fields.cwd) fields.cwd = posix.resolve(fields.cwd, dir);
  }
  const error = fieldsOf(obj.tool_response).error;
  if (agentEvent === 'AfterTool' && error !== undefined && error !== null) {
    fields.hook_event_name = 'PostToolUseFailure';
    fields.attributes = { ...fields.attributes, error: typeof error === 'string' ? error : JSON.stringify(error) };
  }
  if (typeof obj.reason === 'string') fields.attributes = { ...fields.attributes, end_reason: obj.reason };
  return commonInput(obj, fields, 'session_id', 'hook_event_name');
}

const json = (value: unknown): HookResult => ({ exitCode: 0, stdout: `${JSON.stringify(value)}\n`, stderr: '' });

function decision(kind: 'deny' | 'ask', reason: string): HookResult {
  return json({ decision: kind, reason, systemMessage: reason });
}

export const geminiAdapter: HookAdapter = {
  agent: 'gemini-cli',
  gatedEvents: new Set(['PreToolUse']),
  canAsk: true,
  read: readGemini,
  deny: (reason) => decision('deny', reason),
  unreadable: (reason) => decision('deny', reason),
  letThrough: (warning) => json({ systemMessage: warning.trim() }),
  pass: () => json({}),
  answer: (answer: HookAnswer) => (answer.decision === 'allow' ? json({}) : decision(answer.decision, reasonText(answer.reason, answer.remedy))),
};

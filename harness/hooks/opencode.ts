/**
 * OpenCode's adapter. OpenCode has no command hooks: its in-process plugin
 * (`harness/opencode/warden.js`, loaded from `.opencode/plugins/`) posts each
 * `tool.execute.before` / `tool.execute.after` call to `POST /api/v1/hooks/opencode` as
 * `{"hook": "tool.execute.before", "input": {"tool", "sessionID", "callID"}, "output": {"args"}, "directory"}`
 * — the hook's own two arguments, as OpenCode passes them, with the plugin's project directory
 * (OpenCode gives no per-call cwd). For `tool.execute.after`, `input` also holds `args` and
 * `output` the result (`title`, `output`, `metadata`; only `metadata.exit` is kept).
 *
 * Session `sessionID`, tool-call id `callID` (on both hooks, so intent and execution pair). Tool
 * names become Warden's (`bash` → `Bash`, `write` → `Write`, `edit` → `Edit`, `read` → `Read`,
 * …) and OpenCode's `filePath` argument `file_path`. OpenCode blocks a call when the plugin
 * throws and cannot ask a person, so the answer is JSON the plugin acts on:
 * `{"decision": "allow" | "deny", "reason"}` — the gate's ask arrives as a deny saying a person
 * must approve. An unreadable payload is a deny too.
 */
import type { HookAdapter, HookAnswer, HookResult } from './run-hook.js';
import type { HookInput } from './hook-event.js';
import { argumentsOf, commonInput, fieldsOf, payloadObject, reasonText, str, toolNameFrom } from './payload-fields.js';

const EVENTS: Readonly<Record<string, string>> = {
  'tool.execute.before': 'PreToolUse',
  'tool.execute.after': 'PostToolUse',
};

const TOOLS: Readonly<Record<string, string>> = {
  bash: 'Bash',
  write: 'Write',
  edit: 'Edit',
  read: 'Read',
  glob: 'Glob',
  grep: 'Grep',
  list: 'LS',
  webfetch: 'WebFetch',
  task: 'Agent',
};

function argsOf(value: unknown): Record<string, unknown> | null {
  const args = argumentsOf(value);
  if (args === null || typeof args.filePath !== 'string' || args.file_path !== undefined) return args;
  const { filePath, ...rest } = args;
  return { file_path: filePath, ...rest };
}

export function readOpenCode(payload: unknown, event: string | undefined): HookInput {
  const obj = payloadObject(payload);
  const input = fieldsOf(obj.input);
  const output = fieldsOf(obj.output);
  const agentEvent = event || str(obj.hook);
  const agentTool = str(input.tool);
  const attributes: Record<string, string | boolean> = {};
  const exit = fieldsOf(output.metadata).exit;
  if (typeof exit === 'number') attributes.exit_code = String(exit);
  return commonInput(
    obj,
    {
      session_id: str(input.sessionID),
      hook_event_name: EVENTS[agentEvent] ?? agentEvent,
      agent_event: agentEvent,
      tool_name: toolNameFrom(TOOLS, agentTool),
      agent_tool: agentTool,
      tool_input: argsOf(agentEvent === 'tool.execute.after' ? input.args : output.args),
      tool_use_id: str(input.callID),
      cwd: str(obj.directory),
      attributes,
    },
    'input.sessionID',
    'hook (tool.execute.before or tool.execute.after)',
  );
}

const json = (value: unknown): HookResult => ({ exitCode: 0, stdout: `${JSON.stringify(value)}\n`, stderr: '' });
const deny = (reason: string): HookResult => json({ decision: 'deny', reason });

export const opencodeAdapter: HookAdapter = {
  agent: 'opencode',
  gatedEvents: new Set(['PreToolUse']),
  canAsk: false,
  read: readOpenCode,
  deny,
  unreadable: deny,
  letThrough: (warning) => json({ decision: 'allow', reason: warning.trim() }),
  pass: () => json({ decision: 'allow' }),
  answer: (answer: HookAnswer) => {
    if (answer.decision === 'allow') return json({ decision: 'allow' });
    return deny(reasonText(answer.reason, answer.remedy));
  },
};

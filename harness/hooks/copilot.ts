/**
 * GitHub Copilot's hook adapter (Copilot CLI and the Copilot cloud agent; hooks in
 * `.github/hooks/*.json`, `~/.copilot/hooks/`, or inline in Copilot's settings).
 *
 * Input, in one of two shapes chosen by how the event is spelled in the hook file:
 * - camelCase events (`preToolUse`, …): `sessionId`, `timestamp` (ms), `cwd`, `toolName`
 *   (`bash`, `powershell`, `create`, `edit`, `view`, …), `toolArgs` (JSON text in Copilot's own
 *   examples, an object allowed), `toolResult`, `error`, `prompt`, `source`, `reason` — and **no
 *   event name**. The event comes from the hook's command line (`warden-hook copilot preToolUse`,
 *   sent as `?event=`); without it, from the payload's shape: a tool call with neither a result
 *   nor an error is taken as `preToolUse`, so it is decided rather than waved through.
 * - PascalCase events (`PreToolUse`, …, and the hooks Copilot reads from `.claude/settings.json`):
 *   Claude Code's field names (`hook_event_name`, `session_id`, `tool_name`, `tool_input`).
 * Neither carries a tool-call id. Tool names become Warden's (`bash` → `Bash`, `create` → `Write`,
 * `edit` → `Edit`, `view` → `Read`).
 *
 * Answer to `preToolUse`, exit 0: allow is empty (Copilot's own permission flow applies; Warden
 * never sends `"allow"`, which would skip Copilot's approval prompt); deny and ask are the flat
 * `{"permissionDecision": "deny" | "ask", "permissionDecisionReason": "…"}` (the cloud agent
 * treats ask as deny). A payload Warden cannot read is answered with the same deny — Copilot
 * applies it to a tool call and ignores it for other events. Copilot's own failure handling: a
 * hook that exits non-zero denies, a hook that times out (`timeoutSec`, 30 s) is let through —
 * so the client answers the fail mode itself, well inside the timeout.
 */
import type { HookAdapter, HookAnswer, HookResult } from './run-hook.js';
import type { HookInput } from './hook-event.js';
import { argumentsOf, commonInput, payloadObject, reasonText, str, toolNameFrom } from './payload-fields.js';

/** Copilot's event names (both spellings, lower-cased) → the common record's. */
const EVENTS: Readonly<Record<string, string>> = {
  pretooluse: 'PreToolUse',
  posttooluse: 'PostToolUse',
  posttoolusefailure: 'PostToolUseFailure',
  sessionstart: 'SessionStart',
  sessionend: 'SessionEnd',
  userpromptsubmitted: 'UserPromptSubmit',
  userpromptsubmit: 'UserPromptSubmit',
  agentstop: 'Stop',
  stop: 'Stop',
  subagentstop: 'SubagentStop',
  permissionrequest: 'PermissionRequest',
  erroroccurred: 'ErrorOccurred',
};

const TOOLS: Readonly<Record<string, string>> = {
  bash: 'Bash',
  create: 'Write',
  edit: 'Edit',
  view: 'Read',
  glob: 'Glob',
  grep: 'Grep',
  web_fetch: 'WebFetch',
  web_search: 'WebSearch',
  task: 'Agent',
};

/** The event of a camelCase payload that names none, from its fields. */
function eventFromShape(obj: Record<string, unknown>): string {
  if (obj.toolName !== undefined) {
    if (obj.toolResult !== undefined) return 'postToolUse';
    if (obj.error !== undefined) return 'postToolUseFailure';
    return 'preToolUse';
  }
  if (obj.prompt !== undefined) return 'userPromptSubmitted';
  if (obj.stopReason !== undefined) return 'agentStop';
  if (obj.reason !== undefined) return 'sessionEnd';
  if (obj.source !== undefined) return 'sessionStart';
  return '';
}

export function readCopilot(payload: unknown, event: string | undefined): HookInput {
  const obj = payloadObject(payload);
  const agentEvent = event || str(obj.hook_event_name) || eventFromShape(obj);
  const agentTool = str(obj.toolName) || str(obj.tool_name);
  const attributes: Record<string, string | boolean> = {};
  const initialPrompt = str(obj.initialPrompt) || str(obj.initial_prompt);
  if (initialPrompt) attributes.prompt = initialPrompt;
  if (typeof obj.reason === 'string') attributes.end_reason = obj.reason;
  return commonInput(
    obj,
    {
      session_id: str(obj.sessionId) || str(obj.session_id),
      hook_event_name: EVENTS[agentEvent.toLowerCase()] ?? agentEvent,
      agent_event: agentEvent,
      tool_name: toolNameFrom(TOOLS, agentTool),
      agent_tool: agentTool,
      tool_input: argumentsOf(obj.toolArgs ?? obj.tool_input),
      cwd: str(obj.cwd),
      attributes,
    },
    'sessionId',
    'event name (give it on the command line: warden-hook copilot preToolUse)',
  );
}

function decision(permissionDecision: 'deny' | 'ask', reason: string): HookResult {
  return { exitCode: 0, stdout: `${JSON.stringify({ permissionDecision, permissionDecisionReason: reason })}\n`, stderr: '' };
}

export const copilotAdapter: HookAdapter = {
  agent: 'copilot',
  gatedEvents: new Set(['PreToolUse']),
  canAsk: true,
  read: readCopilot,
  deny: (reason) => decision('deny', reason),
  unreadable: (reason) => decision('deny', reason),
  letThrough: (warning) => ({ exitCode: 0, stdout: '', stderr: warning }),
  answer: (answer: HookAnswer) => {
    if (answer.decision === 'allow') return { exitCode: 0, stdout: '', stderr: '' };
    return decision(answer.decision, reasonText(answer.reason, answer.remedy));
  },
};

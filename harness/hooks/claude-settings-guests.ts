/**
 * Other agents that run the hooks configured for Claude Code (`.claude/settings.json`): a hook
 * installed as `warden-hook claude-code` (or an HTTP hook on `/api/v1/hooks/claude-code`) also
 * receives their payloads. This picks the adapter of the agent that really sent the payload, so
 * the call is read, gated and recorded under that agent and its session:
 *
 * - GitHub Copilot CLI sends its VS Code-compatible payload: Claude Code's field names
 *   (`hook_event_name`, `session_id`, `tool_name: "Bash"`, `tool_input`) with an ISO 8601
 *   `timestamp` and neither `transcript_path` nor `tool_use_id` (Claude Code always sends
 *   `transcript_path` and never `timestamp`) — or, spelled camelCase, `sessionId` / `toolName` /
 *   `toolArgs`.
 * - Cursor sends its own payload (`conversation_id`, `generation_id`, `cursor_version`, `Shell`
 *   as the tool, camelCase event names, no `session_id`, stdin maybe starting with a byte order
 *   mark); a Claude event name it might pass through (`PreToolUse`) is read as Cursor's.
 *
 * Answer: what blocks in both formats. Exit code 2 denies a pre-tool call in Claude Code, in
 * Copilot (documented: exit 2 is deny whatever stdout says) and in Cursor (documented for its own
 * hooks; reported for Claude Code's hooks it runs) — whereas whether Copilot and Cursor honour
 * Claude Code's nested `hookSpecificOutput` when they run a Claude Code hook is unconfirmed. So a
 * deny (and a fail-closed block) is exit 2 with the reason on stderr. Allow, ask where the agent
 * can ask, and events nothing decides are answered in the running agent's own format (Copilot:
 * empty or the flat `permissionDecision: "ask"`; Cursor: `{"permission": "allow"}`; Cursor cannot
 * ask at `preToolUse`, so there ask is the exit-2 deny saying a person must approve).
 */
import type { HookAdapter, HookAnswer, HookResult } from './run-hook.js';
import type { HookInput } from './hook-event.js';
import { copilotAdapter } from './copilot.js';
import { cursorAdapter } from './cursor.js';
import { isFields, reasonText, str } from './payload-fields.js';

/** The agent a payload sent to the claude-code hook really comes from (null: Claude Code's own). */
export function guestAgentOf(payload: unknown): 'cursor' | 'copilot' | null {
  if (!isFields(payload)) return null;
  if (str(payload.cursor_version) || str(payload.conversation_id) || str(payload.generation_id)) return 'cursor';
  if (str(payload.sessionId) || payload.toolName !== undefined || payload.toolArgs !== undefined) return 'copilot';
  const claudeShaped = str(payload.session_id) !== '' && str(payload.hook_event_name) !== '';
  if (claudeShaped && str(payload.timestamp) !== '' && payload.transcript_path === undefined && payload.tool_use_id === undefined) return 'copilot';
  return null;
}

const block = (reason: string): HookResult => ({ exitCode: 2, stdout: '', stderr: `${reason}\n` });

/** Claude Code's event names as Cursor spells them. */
const CURSOR_EVENTS: Readonly<Record<string, string>> = {
  PreToolUse: 'preToolUse',
  PostToolUse: 'postToolUse',
  PostToolUseFailure: 'postToolUseFailure',
  SessionStart: 'sessionStart',
  SessionEnd: 'sessionEnd',
  UserPromptSubmit: 'beforeSubmitPrompt',
};

function readCursorGuest(payload: unknown, event: string | undefined): HookInput {
  const read = cursorAdapter.read!;
  if (!isFields(payload)) return read(payload, event);
  const named = event || str(payload.hook_event_name);
  return read(payload, CURSOR_EVENTS[named] ?? named);
}

/** `inner`, answering a deny the way every agent running a Claude Code hook obeys. */
function asClaudeCodeHook(inner: HookAdapter, read: HookAdapter['read']): HookAdapter {
  const canAskAt = (input: HookInput): boolean => inner.canAskAt?.(input) ?? inner.canAsk;
  const adapter: HookAdapter = {
    agent: inner.agent,
    gatedEvents: inner.gatedEvents,
    canAsk: inner.canAsk,
    canAskAt,
    deny: (reason) => block(reason),
    unreadable: (reason) => block(reason),
    answer: (answer: HookAnswer, input) => {
      if (answer.decision === 'allow' || (answer.decision === 'ask' && canAskAt(input))) return inner.answer(answer, input);
      return block(reasonText(answer.reason, answer.remedy));
    },
  };
  if (read) adapter.read = read;
  if (inner.letThrough) adapter.letThrough = inner.letThrough;
  if (inner.pass) adapter.pass = inner.pass;
  return adapter;
}

const GUESTS = {
  cursor: asClaudeCodeHook(cursorAdapter, readCursorGuest),
  copilot: asClaudeCodeHook(copilotAdapter, copilotAdapter.read),
} as const;

/** The adapter for a payload: the named one, unless it is Claude Code's and the payload is another agent's. */
export function adapterForPayload(adapter: HookAdapter, payload: unknown): HookAdapter {
  if (adapter.agent !== 'claude-code') return adapter;
  const guest = guestAgentOf(payload);
  return guest === null ? adapter : GUESTS[guest];
}

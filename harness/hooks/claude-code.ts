/**
 * Claude Code's hook adapter. Claude Code runs a hook for the events configured in
 * `.claude/settings.json` with the event JSON on stdin — or POSTs it, for `"type": "http"` hooks —
 * (session_id, transcript_path, cwd, permission_mode, hook_event_name, tool_name, tool_input,
 * tool_use_id, …). A PreToolUse hook decides a tool call by exiting 0 with
 * `{"hookSpecificOutput": {"hookEventName": "PreToolUse", "permissionDecision": "deny" | "ask" |
 * "defer", "permissionDecisionReason": "…"}}`: deny cancels the call and shows the reason to
 * Claude; ask shows the user the permission prompt with the reason (also in auto mode); defer
 * (headless `claude -p` only) pauses the session at the call to be resumed later. Warden never
 * answers "allow", which would skip Claude Code's own permission prompt: an allowed call gets an
 * empty answer and goes through Claude Code's permissions as usual. When the input could not be
 * read, the event is unknown, so the block is exit code 2 with the reason on stderr (which blocks
 * a PreToolUse call and is only shown for other events).
 */
import type { HookAdapter, HookAnswer, HookResult } from './run-hook.js';
import type { HookInput } from './hook-event.js';

export function preToolUseDeny(reason: string, input: HookInput | null): HookResult {
  if (input === null) return { exitCode: 2, stdout: '', stderr: `${reason}\n` };
  return preToolUseDecision('deny', reason);
}

function preToolUseDecision(permissionDecision: 'deny' | 'ask' | 'defer', reason: string): HookResult {
  const output = { hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision, permissionDecisionReason: reason } };
  return { exitCode: 0, stdout: `${JSON.stringify(output)}\n`, stderr: '' };
}

/** The answer to a decided PreToolUse: nothing for allow, the decision otherwise. */
export function preToolUseAnswer(answer: HookAnswer, canAsk: boolean): HookResult {
  const text = answer.remedy ? `${answer.reason} — ${answer.remedy}` : answer.reason;
  if (answer.decision === 'allow') return { exitCode: 0, stdout: '', stderr: '' };
  if (answer.decision === 'ask' && canAsk) return preToolUseDecision(answer.askAs === 'defer' ? 'defer' : 'ask', text);
  return preToolUseDecision('deny', text);
}

export const claudeCodeAdapter: HookAdapter = {
  agent: 'claude-code',
  gatedEvents: new Set(['PreToolUse']),
  canAsk: true,
  deny: preToolUseDeny,
  answer: (answer) => preToolUseAnswer(answer, true),
};

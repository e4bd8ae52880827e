/**
 * Claude Code's hook adapter. Claude Code runs `warden hook claude-code` for the events
 * configured in `.claude/settings.json` with the event JSON on stdin (session_id,
 * transcript_path, cwd, hook_event_name, tool_name, tool_input, tool_use_id, …). A PreToolUse
 * hook denies a tool call by exiting 0 with
 * `{"hookSpecificOutput": {"hookEventName": "PreToolUse", "permissionDecision": "deny",
 * "permissionDecisionReason": "…"}}` on stdout; the reason is shown to Claude. When the input
 * could not be read, the event is unknown, so the deny is exit code 2 with the reason on stderr,
 * which blocks a PreToolUse call and is only shown for other events.
 */
import type { HookAdapter, HookResult } from './run-hook.js';
import type { HookInput } from './hook-event.js';

export function preToolUseDeny(reason: string, input: HookInput | null): HookResult {
  if (input === null) return { exitCode: 2, stdout: '', stderr: `${reason}\n` };
  const output = { hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny', permissionDecisionReason: reason } };
  return { exitCode: 0, stdout: `${JSON.stringify(output)}\n`, stderr: '' };
}

export const claudeCodeAdapter: HookAdapter = {
  agent: 'claude-code',
  gatedEvents: new Set(['PreToolUse']),
  deny: preToolUseDeny,
};

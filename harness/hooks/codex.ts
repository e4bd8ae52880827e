/**
 * Codex CLI's hook adapter. Codex's hooks (`hooks.json` or `[hooks]` in `config.toml`, in
 * `~/.codex/` or a project's `.codex/`) follow Claude Code's protocol: the event JSON on stdin
 * (session_id, turn_id, cwd, hook_event_name, model, permission_mode, tool_name, tool_input,
 * tool_use_id) and, for PreToolUse, the same deny answer — `hookSpecificOutput.permissionDecision:
 * "deny"` with a reason, exit 0 — or exit code 2 with the reason on stderr. Codex has no "ask"
 * answer for hooks, so an action Warden would stage for a person is denied, and the reason says
 * so. Codex fires PreToolUse/PostToolUse for Bash (`tool_input.command`), apply_patch and MCP
 * tools; a hook that fails or times out (any other exit code) does not block, which is why the
 * command client answers a deny itself when Warden is unreachable and the fail mode is closed.
 */
import type { HookAdapter } from './run-hook.js';
import { preToolUseAnswer, preToolUseDeny } from './claude-code.js';

export const codexAdapter: HookAdapter = {
  agent: 'codex',
  gatedEvents: new Set(['PreToolUse']),
  canAsk: false,
  deny: preToolUseDeny,
  answer: (answer) => preToolUseAnswer(answer, false),
};

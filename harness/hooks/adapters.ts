/**
 * The agents whose hooks Warden answers, by the name used in `warden hook <agent>`,
 * `warden-hook <agent>` and `POST /api/v1/hooks/<agent>` (Gemini CLI also under its telemetry's
 * service name, `gemini-cli`; OpenCode's plugin posts to `opencode`).
 */
import type { HookAdapter } from './run-hook.js';
import { claudeCodeAdapter } from './claude-code.js';
import { codexAdapter } from './codex.js';
import { copilotAdapter } from './copilot.js';
import { cursorAdapter } from './cursor.js';
import { windsurfAdapter } from './windsurf.js';
import { geminiAdapter } from './gemini.js';
import { opencodeAdapter } from './opencode.js';

export const HOOK_ADAPTERS: Readonly<Record<string, HookAdapter>> = {
  'claude-code': claudeCodeAdapter,
  codex: codexAdapter,
  copilot: copilotAdapter,
  cursor: cursorAdapter,
  windsurf: windsurfAdapter,
  gemini: geminiAdapter,
  'gemini-cli': geminiAdapter,
  opencode: opencodeAdapter,
};

/**
 * The agents whose hooks Warden answers, by the name used in `warden hook <agent>` and
 * `POST /api/v1/hooks/<agent>`.
 */
import type { HookAdapter } from './run-hook.js';
import { claudeCodeAdapter } from './claude-code.js';
import { codexAdapter } from './codex.js';

export const HOOK_ADAPTERS: Readonly<Record<string, HookAdapter>> = { 'claude-code': claudeCodeAdapter, codex: codexAdapter };

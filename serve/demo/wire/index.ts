/**
 * One builder per wire shape (`source` in a session file): the session's planned steps become
 * the OTLP records that agent's harness would have exported, in export order.
 */
import type { SessionSource } from '../session-file.js';
import { claudeCodeLogs } from './claude-code-logs.js';
import { codexLogs } from './codex-logs.js';
import { genaiSpans } from './genai-spans.js';
import { hookLogs } from './hooks.js';
import type { BuildInput, WireSession } from './wire-record.js';

export type { BuildInput, WireRecord, WireSession } from './wire-record.js';

const BUILDERS: Record<SessionSource, (input: BuildInput) => WireSession> = {
  claude_code_logs: claudeCodeLogs,
  codex_logs: codexLogs,
  hooks: hookLogs,
  genai_spans: genaiSpans,
};

/** Encoding each harness uses by default. */
export const DEFAULT_ENCODING: Record<SessionSource, 'json' | 'protobuf'> = {
  claude_code_logs: 'protobuf',
  codex_logs: 'json',
  hooks: 'json',
  genai_spans: 'protobuf',
};

export function buildWire(input: BuildInput): WireSession {
  return BUILDERS[input.session.source](input);
}

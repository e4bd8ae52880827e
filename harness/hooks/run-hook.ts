/**
 * What `warden hook <agent>` does with one hook invocation, independent of the agent:
 *
 * 1. parse the hook JSON from stdin;
 * 2. forward it to Warden as an OTLP log record (every event: PreToolUse → intent,
 *    PostToolUse → execution, prompts and session starts → declarations);
 * 3. for PreToolUse, ask the verdict in parallel and, when the session is revoked or the action
 *    blocked, answer with the agent's deny output so the tool call does not run.
 *
 * When Warden cannot be reached (or the input cannot be read) a PreToolUse hook follows the fail
 * mode: `closed` denies — no receipt, no action — and `open` allows with a warning on stderr.
 * Other events never block: their failures are a warning only. The result is returned, not
 * printed, so it is testable; the CLI writes it out.
 */
import { systemClock, type Clock } from '../../lib/clock.js';
import type { HookConfig } from './hook-config.js';
import { commandOf, hookLogRecord, parseHookInput, type HookInput } from './hook-event.js';
import { fetchVerdict, sendHookLog } from './warden-client.js';

export interface HookAdapter {
  /** `claude-code`, `codex`: the default agent id (OTLP service.name). */
  agent: string;
  /** Event names at which the agent lets a hook deny the tool call. */
  gatedEvents: ReadonlySet<string>;
  /** The agent's own "deny this tool call" answer. */
  deny(reason: string, input: HookInput | null): HookResult;
}

export interface HookResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

const ALLOW: HookResult = { exitCode: 0, stdout: '', stderr: '' };

function failure(adapter: HookAdapter, config: HookConfig, input: HookInput | null, problem: string): HookResult {
  const gated = input === null || adapter.gatedEvents.has(input.hook_event_name);
  if (gated && config.fail === 'closed') {
    return adapter.deny(`Warden could not check this tool call (${problem}); tool calls are blocked until Warden answers (WARDEN_HOOK_FAIL=closed).`, input);
  }
  return { exitCode: 0, stdout: '', stderr: `warden hook: ${problem}${gated ? ' (WARDEN_HOOK_FAIL=open: allowed)' : ''}\n` };
}

export async function runHook(adapter: HookAdapter, stdin: string, config: HookConfig, clock: Clock = systemClock): Promise<HookResult> {
  let input: HookInput;
  try {
    input = parseHookInput(stdin);
  } catch (err) {
    return failure(adapter, config, null, `cannot read the hook input: ${(err as Error).message}`);
  }
  const record = hookLogRecord(input, config.serviceName ?? adapter.agent, clock.nowNs());
  const gated = adapter.gatedEvents.has(input.hook_event_name);
  const [sent, verdict] = await Promise.allSettled([
    sendHookLog(config, record),
    gated ? fetchVerdict(config, input.session_id, input.tool_name, commandOf(input)) : Promise.resolve(null),
  ]);
  if (verdict.status === 'fulfilled' && verdict.value !== null && !verdict.value.allow) {
    return adapter.deny(verdict.value.reason || 'Warden denied this tool call', input);
  }
  const problems = [sent, verdict].flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : []));
  if (problems.length > 0) return failure(adapter, config, input, [...new Set(problems)].join('; '));
  return ALLOW;
}

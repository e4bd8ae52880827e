/**
 * What `warden hook <agent>` does with one hook invocation, independent of the agent: post the
 * hook JSON from stdin, as it is, to Warden's hook endpoint (`POST /api/v1/hooks/<agent>`), which
 * records the event, decides an intended action with the gate and answers in the agent's own
 * format; print that answer and exit with the code Warden names (`warden-hook-exit`, 0 unless
 * the agent's format blocks by exit code; a non-zero exit prints the answer on stderr).
 *
 * When Warden cannot be reached (or answers with an error) a gated event follows the fail mode:
 * `closed` denies — no receipt, no action — and `open` allows with a warning on stderr. Other
 * events never block: their failures are a warning only. The result is returned, not printed,
 * so it is testable; the CLI writes it out.
 */
import type { HookConfig } from './hook-config.js';
import { hookInputOf, parseHookJson, type HookInput } from './hook-event.js';
import { postHook } from './warden-client.js';
import { adapterForPayload } from './claude-settings-guests.js';

/** A gate decision as the agent's answer is built from it. */
export interface HookAnswer {
  decision: 'allow' | 'ask' | 'deny';
  reason: string;
  /** What an operator can do (appended to the reason the agent shows). */
  remedy: string;
  /** Claude Code: answer `ask` as `defer` (headless `claude -p` sessions). */
  askAs?: 'ask' | 'defer';
}

export interface HookAdapter {
  /** `claude-code`, `codex`: the default agent id (OTLP service.name). */
  agent: string;
  /** Event names at which the agent lets a hook decide the tool call. */
  gatedEvents: ReadonlySet<string>;
  /** Whether the agent can stage a call for a person (`ask`); otherwise ask becomes deny. */
  canAsk: boolean;
  /** The agent's own "deny this tool call" answer (input null: the payload could not be read). */
  deny(reason: string, input: HookInput | null): HookResult;
  /** The agent's own answer to a gate decision on a gated event. */
  answer(answer: HookAnswer, input: HookInput): HookResult;
  /**
   * Reads the agent's payload into the common hook record; throws when it cannot. `event` is the
   * event name given on the hook's command line (Copilot's camelCase payloads carry none).
   * Default: Claude Code's shape (`hookInputOf`).
   */
  read?(payload: unknown, event: string | undefined): HookInput;
  /** Whether the agent can ask a person at this event (default: `canAsk`). */
  canAskAt?(input: HookInput): boolean;
  /** The agent's fail-closed answer to a payload that could not be read (default: `deny(reason, null)`). */
  unreadable?(reason: string): HookResult;
  /** The agent's answer letting a call through with a warning (fail open; default: the warning on stderr). */
  letThrough?(warning: string, input: HookInput | null): HookResult;
  /** The answer to an event nothing decides (default: empty). */
  pass?(input: HookInput | null): HookResult;
}

/** The common hook record of an agent's payload (throws when it cannot be read). */
export function readHookInput(adapter: HookAdapter, payload: unknown, event?: string): HookInput {
  return adapter.read ? adapter.read(payload, event) : hookInputOf(payload);
}

export const EMPTY_ANSWER: HookResult = { exitCode: 0, stdout: '', stderr: '' };

/** The answer to an event nothing decides, in the agent's format. */
export function passAnswer(adapter: HookAdapter, input: HookInput | null): HookResult {
  return adapter.pass ? adapter.pass(input) : EMPTY_ANSWER;
}

export interface HookResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

function failure(adapter: HookAdapter, config: HookConfig, input: HookInput | null, problem: string): HookResult {
  const gated = input === null || adapter.gatedEvents.has(input.hook_event_name);
  if (gated && config.fail === 'closed') {
    const reason = `Warden could not check this tool call (${problem}); tool calls are blocked until Warden answers (WARDEN_HOOK_FAIL=closed).`;
    return input === null && adapter.unreadable ? adapter.unreadable(reason) : adapter.deny(reason, input);
  }
  const warning = `warden hook: ${problem}${gated ? ' (WARDEN_HOOK_FAIL=open: allowed)' : ''}\n`;
  const answer = gated && adapter.letThrough ? adapter.letThrough(warning, input) : passAnswer(adapter, input);
  return { ...answer, stderr: answer.stderr || warning };
}

/** The payload's adapter (another agent's, when it ran Claude Code's hook) and its record (null: unreadable). */
function tryParse(adapter: HookAdapter, stdin: string, event: string | undefined): { adapter: HookAdapter; input: HookInput | null } {
  let payload: unknown;
  try {
    payload = parseHookJson(stdin);
  } catch {
    return { adapter, input: null };
  }
  const actual = adapterForPayload(adapter, payload);
  try {
    return { adapter: actual, input: readHookInput(actual, payload, event) };
  } catch {
    return { adapter: actual, input: null };
  }
}

export async function runHook(adapter: HookAdapter, stdin: string, config: HookConfig, event?: string): Promise<HookResult> {
  try {
    const { exitCode, body } = await postHook(config, adapter.agent, stdin, event);
    return exitCode === 0 ? { exitCode, stdout: body, stderr: '' } : { exitCode, stdout: '', stderr: body };
  } catch (err) {
    const parsed = tryParse(adapter, stdin, event);
    return failure(parsed.adapter, config, parsed.input, (err as Error).message);
  }
}

/**
 * Replays a recorded session through the gate, the way an agent with Warden's hook installed
 * would run it: the session's declaration (goal, scope, environment) as the harness's
 * `warden.session.start` log record, then, for every step, a Claude Code `PreToolUse` payload
 * piped into the shell hook client (`bin/warden-hook claude-code`) as the agent would — the tool
 * runs only if the answer is empty (allowed), and then its `PostToolUse` (or
 * `PostToolUseFailure`) goes through the same client. A step answered deny or ask never runs.
 * A goal announced by a prompt goes as `UserPromptSubmit`. Waits between steps are the recorded
 * gaps divided by `speed`, as in replay.ts.
 */
import { encodeOtlp } from '../../decode/otlp/index.js';
import { runHookClient } from '../helpers/run-hook-client.js';
import type { IncidentSession } from '../../serve/demo/session-file.js';
import { planSession } from '../../serve/demo/timeline.js';
import { argumentsOf, failure, sessionStartLog } from '../../serve/demo/wire/wire-record.js';

export interface GatedStep {
  index: number;
  harm: boolean;
  decision: 'allow' | 'ask' | 'deny';
  reason: string;
  ran: boolean;
}

export interface GateReplayResult {
  sessionId: string;
  steps: GatedStep[];
}

export interface GateReplayOptions {
  url: string;
  token: string | undefined;
  sessionId: string;
  speed: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function replayThroughGate(session: IncidentSession, options: GateReplayOptions): Promise<GateReplayResult> {
  const env: Record<string, string> = { WARDEN_URL: options.url, WARDEN_HOOK_TIMEOUT_MS: '10000', ...(options.token ? { WARDEN_TOKEN: options.token } : {}) };
  const plan = planSession(session, options.sessionId);
  const sessionId = options.sessionId;
  const cwd = session.session.cwd;
  const base = { session_id: sessionId, transcript_path: `/home/dev/.claude/projects/x/${sessionId}.jsonl`, permission_mode: 'default' };
  const hook = async (payload: Record<string, unknown>) => {
    const run = await runHookClient('shell', 'claude-code', { ...base, ...payload }, env);
    if (run.code !== 0) throw new Error(`hook client exited ${run.code}: ${run.stderr}`);
    return run.stdout;
  };

  const declaration = sessionStartLog({ session, plan, baseMs: Date.now() }, { 'service.name': 'claude-code' }).record;
  const response = await fetch(`${options.url}/v1/logs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) },
    body: new Uint8Array(encodeOtlp('logs', [declaration], 'otlp_json')),
  });
  if (!response.ok) throw new Error(`declaration refused: ${response.status} ${await response.text()}`);
  await hook({ hook_event_name: 'SessionStart', source: 'startup', cwd });
  if (session.session.goal_via === 'prompt') await hook({ hook_event_name: 'UserPromptSubmit', prompt: session.session.goal, cwd });

  const steps: GatedStep[] = [];
  for (const p of plan.steps) {
    await sleep((p.step.after_ms ?? 0) / options.speed);
    const call = { cwd: p.cwd, tool_name: p.step.tool, tool_use_id: p.callId };
    const answer = await hook({ ...call, hook_event_name: 'PreToolUse', tool_input: argumentsOf(p.step, true) });
    const out = answer.trim() === '' ? null : (JSON.parse(answer) as { hookSpecificOutput?: { permissionDecision?: string; permissionDecisionReason?: string } }).hookSpecificOutput;
    const decision = (out?.permissionDecision ?? 'allow') as GatedStep['decision'];
    const ran = decision === 'allow' && p.step.decision !== 'reject';
    steps.push({ index: p.index, harm: p.step.harm === true, decision, reason: out?.permissionDecisionReason ?? '', ran });
    if (!ran) continue;
    await sleep((p.step.duration_ms ?? 250) / options.speed);
    const error = failure(p.step);
    const toolInput = argumentsOf(p.step);
    await hook(error === null ? { ...call, hook_event_name: 'PostToolUse', tool_input: toolInput, tool_response: { stdout: '', stderr: '', interrupted: false } } : { ...call, hook_event_name: 'PostToolUseFailure', tool_input: toolInput, error });
  }
  return { sessionId, steps };
}

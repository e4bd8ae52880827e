/**
 * Gate calls against Warden instances of one consumer group (distributed mode, mock cluster):
 * a Claude Code hook call, the answer of a session's owner (asked again while the group settles),
 * declaring sessions' tasks and waiting until their owners have consumed them.
 */
import assert from 'node:assert/strict';
import type { TokenEntry } from '../../config/tokens.js';
import type { TestWarden } from './test-warden.js';
import { waitFor } from './wait-for.js';

/** The tokens of these tests: the hooks' (ingest, read) and an operator's (read, operate), in the default tenant. */
export function gateTokens(hooks: string, operator: string): TokenEntry[] {
  return [
    { name: 'hooks', token: hooks, tenant: 'default', roles: ['ingest', 'read'] },
    { name: 'alice', token: operator, tenant: 'default', roles: ['read', 'operate'] },
  ];
}

export interface HookAnswer {
  decision: string;
  text: string;
  /** The gate's decision id (`warden-decision-id`), empty when no owner decided. */
  id: string;
}

export async function hook(w: TestWarden, token: string, body: Record<string, unknown>): Promise<HookAnswer> {
  const res = await fetch(`${w.url}/api/v1/hooks/claude-code`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.text();
  assert.equal(res.status, 200, text);
  const out = text.trim() === '' ? null : (JSON.parse(text) as { hookSpecificOutput?: { permissionDecision?: string } });
  return { decision: out?.hookSpecificOutput?.permissionDecision ?? 'allow', text, id: res.headers.get('warden-decision-id') ?? '' };
}

/** The answer of an instance that could not reach any owner (a consumer restarting, the group rebalancing): fail-closed, not a decision. */
export const NO_OWNER = /could not find this session's owner/;

/**
 * A gate call answered by the session's owner: while the group settles (the mock cluster holds a
 * rebalance for its session timeout, and a consumer the mock's SyncGroup upsets restarts), a call is
 * answered fail-closed; this asks again until an owner answers.
 */
export async function ownersAnswer(w: TestWarden, token: string, body: () => Record<string, unknown>): Promise<HookAnswer> {
  return waitFor(() => hook(w, token, body()), (d) => !NO_OWNER.test(d.text), { timeoutMs: 120_000, what: "an answer from the session's owner" });
}

export const prompt = (s: string) => ({ session_id: s, cwd: '/repo', hook_event_name: 'UserPromptSubmit', prompt: 'Fix the typo in README.md' });
export const bash = (s: string, id: string, command: string) => ({ session_id: s, cwd: '/repo', hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command }, tool_use_id: id });

/** Declares each session's task (through `through`, in turn) and waits until its owner among `wardens` has consumed it. */
export async function declare(wardens: TestWarden[], token: string, sessions: string[], through: TestWarden[] = wardens): Promise<void> {
  for (const [i, s] of sessions.entries()) await hook(through[i % through.length]!, token, prompt(s));
  await waitFor(
    async () => sessions.filter((s) => wardens.some((w) => w.detection.registry.get('default', s) !== undefined)).length,
    (n) => n === sessions.length,
    { timeoutMs: 60_000, what: 'the declared tasks consumed by their owners' },
  );
}

/** `warden_gate_routed_total` by route (local, forwarded, no_owner, …). */
export async function routed(w: TestWarden): Promise<Record<string, number>> {
  const metric = (await w.metrics.registry.getSingleMetric('warden_gate_routed_total')?.get()) as { values: Array<{ labels: { route?: string }; value: number }> } | undefined;
  return Object.fromEntries((metric?.values ?? []).map((v) => [v.labels.route ?? '', v.value]));
}

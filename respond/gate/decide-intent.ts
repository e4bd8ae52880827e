/**
 * The gate's decision: pure policy, no effects. Given an intended action, the findings it raised
 * when evaluated as the session's next action, whether the session was already revoked, and the
 * resolved policy, answer `allow`, `ask` or `deny` with a reason a person and the model can read
 * (which detector, which target, why) and what an operator can do about it.
 *
 * - A session revoked before this action: deny (the revocation is the reason).
 * - Otherwise the most severe finding decides: at or above `gate.deny_at` → deny, at or above
 *   `gate.ask_at` → ask.
 * - With no finding that asks or denies, the command itself: destructive and rated at or above
 *   `gate.command_ask_at` by the classifier → ask, unless the session declared a scope that
 *   allows every target or a development/test environment (said so in advance). Otherwise → allow.
 * - An agent that cannot ask gets deny for ask, and the reason says a person's look was needed.
 * - `monitor` mode answers allow and records what it would have answered (`would_be`).
 *
 * A deny or an ask explains itself (`explained`): the rule (the finding's, or the classifier's for
 * the command floor), the target, why it matters and what would have been fine instead; the
 * reason names them and ends with "Instead: …" when there is an alternative. The reason is built
 * from the finding's title and the data file's texts over the already-redacted event (no
 * explanation with raw numbers: the finding keeps those), so it stays a few short sentences.
 */
import { SEVERITY_RANK, type Finding } from '../../model/finding.js';
import type { GateThreshold, ResolvedPolicy } from '../../detect/policy/policy-types.js';
import type { RevocationInfo } from '../../model/session.js';
import type { AuditEvent } from '../../model/audit-event.js';
import { explainAction, NO_EXPLANATION, type Explanation } from '../../detect/explain/explain.js';

export type GateAnswer = 'allow' | 'ask' | 'deny';

export interface GateVerdict {
  decision: GateAnswer;
  /** What enforce mode would have answered (differs from `decision` in monitor mode, or when ask became deny). */
  would_be: GateAnswer;
  reason: string;
  /** The finding that decided (most severe), when one did. */
  finding: Finding | null;
  /** What an operator can do about a deny or an ask. */
  remedy: string;
  /** Rule, target, why and instead behind a deny or an ask (or a noted finding); absent: none. */
  explained?: Explanation;
}

export interface IntentContext {
  event: Pick<AuditEvent, 'session_id' | 'tool' | 'command' | 'targets' | 'action_class' | 'destructive' | 'severity' | 'rule_ids'>;
  findings: readonly Finding[];
  revokedBefore: RevocationInfo | null;
  policy: Pick<ResolvedPolicy, 'mode' | 'gate'>;
  /** Whether the agent can stage a call for a person (Claude Code can; Codex cannot). */
  canAsk: boolean;
  /** The session declared a scope that allows every target, or a development/test environment (declared-scope.ts). */
  withinDeclaredScope: boolean;
}

function reaches(severity: Finding['severity'], threshold: GateThreshold): boolean {
  return threshold !== 'never' && SEVERITY_RANK[severity] >= SEVERITY_RANK[threshold];
}

function mostSevere(findings: readonly Finding[]): Finding | null {
  let top: Finding | null = null;
  for (const f of findings) if (top === null || SEVERITY_RANK[f.severity] > SEVERITY_RANK[top.severity] || (f.severity === top.severity && f.score > top.score)) top = f;
  return top;
}

/** ` Instead: ….` for an alternative, '' for none: the last sentence of a reason that has one. */
function insteadTail(instead: string): string {
  return instead !== '' ? ` Instead: ${instead.replace(/\.$/, '')}.` : '';
}

/** `target: why.` (or just why, or nothing), then `Instead: ….` when there is one. */
function because(e: Explanation): string {
  const why = e.target !== '' && e.why !== '' ? ` ${e.target}: ${e.why}.` : e.why !== '' ? ` ${e.why[0]!.toUpperCase()}${e.why.slice(1)}.` : e.target !== '' ? ` Target: ${e.target}.` : '';
  return `${why}${insteadTail(e.instead)}`;
}

function explanationOf(f: Finding): Explanation {
  return { rule: f.rule, target: f.target, why: f.why, instead: f.instead };
}

/** A finding in a few sentences; one with no why (stored before it had one) keeps its explanation and the targets. */
function describe(f: Finding, event: IntentContext['event']): string {
  const head = `${f.detector} (${f.severity}): ${f.title.replace(/\.$/, '')}.`;
  if (f.why === '') {
    const targets = event.targets.length > 0 ? ` Targets: ${event.targets.slice(0, 5).join(', ')}${event.targets.length > 5 ? ', …' : ''}.` : '';
    return `${head} ${f.explanation}${targets}${because({ ...explanationOf(f), target: '' })}`;
  }
  return `${head} Rule ${f.rule || f.detector}.${because(explanationOf(f))}`;
}

export function decideIntent(ctx: IntentContext): GateVerdict {
  const { event, policy } = ctx;
  const sessionRef = JSON.stringify(event.session_id);
  if (ctx.revokedBefore !== null) {
    const r = ctx.revokedBefore;
    return finish(ctx, 'deny', null, `Warden revoked this session (${r.by}, ${r.at}): ${r.reason}`, `an operator can reinstate the session: warden reinstate ${sessionRef} --reason "…"`);
  }
  const top = mostSevere(ctx.findings);
  const floor = commandFloor(ctx);
  if (top === null || (!reaches(top.severity, policy.gate.deny_at) && !reaches(top.severity, policy.gate.ask_at))) {
    if (floor !== null) return finish(ctx, 'ask', top, floor.reason, 'confirm it if it is intended; to let such calls of this session through, declare a scope that allows their targets (warden.scope.allow)', floor.explained);
  }
  if (top === null) return finish(ctx, 'allow', null, 'no detector objects to this action', '');
  const text = describe(top, event);
  const explained = explanationOf(top);
  if (reaches(top.severity, policy.gate.deny_at)) {
    const otherwise = explained.instead === '' ? "; otherwise do something within the session's scope and goal instead" : '';
    return finish(ctx, 'deny', top, `Warden blocked this action before it ran — ${text}`, `if it is intended, an operator can allow this call once (warden allow <decision id>) or reinstate the session (warden reinstate ${sessionRef})${otherwise}`, explained);
  }
  if (reaches(top.severity, policy.gate.ask_at)) {
    return finish(ctx, 'ask', top, `Warden asks a person to confirm this action — ${text}`, 'confirm it if it is intended', explained);
  }
  return finish(ctx, 'allow', top, `allowed; noted: ${text}`, '', explained);
}

/** The command's own rating, when it alone deserves a person's look (see the header). */
function commandFloor(ctx: IntentContext): { reason: string; explained: Explanation } | null {
  const { event, policy } = ctx;
  const severity = event.severity;
  if (!event.destructive || ctx.withinDeclaredScope || severity === 'none' || !reaches(severity, policy.gate.command_ask_at)) return null;
  const targets = event.targets.length > 0 ? ` on ${event.targets.slice(0, 3).join(', ')}${event.targets.length > 3 ? ', …' : ''}` : '';
  const rules = event.rule_ids.length > 0 ? `, rule ${event.rule_ids.join(', ')}` : '';
  const explained = explainAction(event);
  // The targets are named just before; the why follows without repeating them.
  const tail = because({ ...explained, target: '' });
  return { reason: `Warden asks a person to confirm this action — the command itself is destructive (${event.action_class}, ${event.severity}${rules})${targets}, and the session declared no scope that allows it.${tail}`, explained };
}

/** The reason with `suffix` added before its closing `Instead: …`, so the alternative stays last. */
function withInstead(reason: string, suffix: string, explained: Explanation | undefined): string {
  const tail = insteadTail(explained?.instead ?? '');
  return tail !== '' && reason.endsWith(tail) ? `${reason.slice(0, -tail.length)}${suffix}${tail}` : `${reason}${suffix}`;
}

function finish(ctx: IntentContext, wouldBe: GateAnswer, finding: Finding | null, reason: string, remedy: string, explained?: Explanation): GateVerdict {
  const ex = explained === undefined || explained === NO_EXPLANATION ? {} : { explained };
  if (ctx.policy.mode === 'monitor' && wouldBe !== 'allow') {
    return { decision: 'allow', would_be: wouldBe, finding, reason: `monitor mode, allowed; enforce mode would ${wouldBe}: ${reason}`, remedy: '', ...ex };
  }
  if (wouldBe === 'ask' && !ctx.canAsk) {
    return { decision: 'deny', would_be: 'ask', finding, reason: withInstead(reason, ' (this agent cannot ask a person, so the call is denied)', explained), remedy: 'an operator can allow this call once (warden allow <decision id>)', ...ex };
  }
  return { decision: wouldBe, would_be: wouldBe, finding, reason, remedy, ...ex };
}

/**
 * The reason and remedy as an agent's hook shows them (`reason — remedy`, harness/hooks): the
 * alternative moves after the remedy, so the text the model reads ends with "Instead: …".
 */
export function forAgent(reason: string, remedy: string, instead: string): { reason: string; remedy: string } {
  const tail = insteadTail(instead);
  if (tail === '' || remedy === '' || !reason.endsWith(tail)) return { reason, remedy };
  return { reason: reason.slice(0, -tail.length), remedy: `${remedy}.${tail}` };
}

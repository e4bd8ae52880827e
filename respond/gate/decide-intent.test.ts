/**
 * The gate's decision as pure policy: the most severe finding against deny_at / ask_at, a
 * session revoked before the call, an agent that cannot ask, monitor mode, and `never`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Finding, FindingSeverity } from '../../model/finding.js';
import { decideIntent, forAgent, type IntentContext } from './decide-intent.js';

const event = { session_id: 's1', tool: 'Bash', command: 'rm -rf /srv/prod/db', targets: ['/srv/prod/db'], action_class: 'fs.delete', destructive: true, severity: 'medium' as const, rule_ids: ['rm_recursive'] };
const gate = { deny_at: 'high', ask_at: 'medium', command_ask_at: 'high' } as const;
const forcePush = { session_id: 's1', tool: 'Bash', command: 'git push --force origin main', targets: ['git://origin/refs/heads/main'], action_class: 'git.force_push', destructive: true, severity: 'high' as const, rule_ids: ['git_force_push_protected'] };

function finding(severity: FindingSeverity, detector: Finding['detector'] = 'scope_drift', score = 0.9): Finding {
  return { id: `f-${severity}-${detector}`, tenant: 't', session_id: 's1', agent_id: 'a', detector, severity, score, title: `${detector} title`, explanation: 'why, with numbers', evidence: ['e1'], rule: detector, target: '', why: '', instead: '', at: '2026-12-02T00:00:00.000000000Z' };
}

function ctx(over: Partial<IntentContext> = {}): IntentContext {
  return { event, findings: [], revokedBefore: null, policy: { mode: 'enforce', gate }, canAsk: true, withinDeclaredScope: false, ...over };
}

describe('decideIntent', () => {
  it('allows an action no detector objects to, and one with only a low finding', () => {
    assert.equal(decideIntent(ctx()).decision, 'allow');
    const low = decideIntent(ctx({ findings: [finding('low', 'preview_before_apply')] }));
    assert.equal(low.decision, 'allow');
    assert.match(low.reason, /noted: preview_before_apply \(low\)/);
  });

  it('denies at deny_at, naming the detector, the targets and what an operator can do', () => {
    const v = decideIntent(ctx({ findings: [finding('medium', 'destructive_burst'), finding('high')] }));
    assert.equal(v.decision, 'deny');
    assert.equal(v.finding?.detector, 'scope_drift');
    assert.match(v.reason, /blocked this action before it ran — scope_drift \(high\): scope_drift title\. why, with numbers Targets: \/srv\/prod\/db\./);
    assert.match(v.remedy, /allow this call once.*reinstate the session/);
  });

  it('asks at ask_at; an agent that cannot ask gets deny, saying so', () => {
    assert.equal(decideIntent(ctx({ findings: [finding('medium')] })).decision, 'ask');
    const codex = decideIntent(ctx({ findings: [finding('medium')], canAsk: false }));
    assert.equal(codex.decision, 'deny');
    assert.equal(codex.would_be, 'ask');
    assert.match(codex.reason, /cannot ask a person/);
  });

  it('denies every call of a session revoked before it', () => {
    const v = decideIntent(ctx({ revokedBefore: { at: '2026-12-02T00:00:00Z', by: 'operator:alice', reason: 'off the rails', finding_id: null } }));
    assert.equal(v.decision, 'deny');
    assert.match(v.reason, /revoked this session \(operator:alice.*off the rails/);
  });

  it('monitor mode allows and records what enforce mode would have answered', () => {
    const v = decideIntent(ctx({ findings: [finding('critical')], policy: { mode: 'monitor', gate } }));
    assert.equal(v.decision, 'allow');
    assert.equal(v.would_be, 'deny');
    assert.match(v.reason, /monitor mode, allowed; enforce mode would deny/);
  });

  it('never: a threshold that never answers', () => {
    const v = decideIntent(ctx({ findings: [finding('critical')], policy: { mode: 'enforce', gate: { deny_at: 'never', ask_at: 'never', command_ask_at: 'never' } } }));
    assert.equal(v.decision, 'allow');
  });

  it('command floor: a destructive command rated at command_ask_at asks with no finding, naming class, severity, rule and target', () => {
    const v = decideIntent(ctx({ event: forcePush }));
    assert.equal(v.decision, 'ask');
    assert.equal(v.finding, null);
    assert.match(v.reason, /the command itself is destructive \(git\.force_push, high, rule git_force_push_protected\) on git:\/\/origin\/refs\/heads\/main, and the session declared no scope that allows it/);
    assert.match(v.remedy, /declare a scope/);
    assert.equal(decideIntent(ctx({ event: forcePush, canAsk: false })).decision, 'deny');
    // A low finding does not lower it; a finding that denies still denies.
    assert.equal(decideIntent(ctx({ event: forcePush, findings: [finding('low', 'preview_before_apply')] })).decision, 'ask');
    assert.equal(decideIntent(ctx({ event: forcePush, findings: [finding('high')] })).decision, 'deny');
  });

  it('command floor stays silent: below command_ask_at, not destructive, within a declared scope, or never', () => {
    assert.equal(decideIntent(ctx()).decision, 'allow');
    assert.equal(decideIntent(ctx({ event: { ...forcePush, destructive: false } })).decision, 'allow');
    assert.equal(decideIntent(ctx({ event: forcePush, withinDeclaredScope: true })).decision, 'allow');
    assert.equal(decideIntent(ctx({ event: forcePush, policy: { mode: 'enforce', gate: { ...gate, command_ask_at: 'never' } } })).decision, 'allow');
    assert.equal(decideIntent(ctx({ event: forcePush, policy: { mode: 'enforce', gate: { ...gate, command_ask_at: 'critical' } } })).decision, 'allow');
    const monitor = decideIntent(ctx({ event: forcePush, policy: { mode: 'monitor', gate } }));
    assert.equal(monitor.decision, 'allow');
    assert.equal(monitor.would_be, 'ask');
  });
});

describe('decideIntent explains itself', () => {
  const explainedFinding = (severity: FindingSeverity): Finding => ({
    ...finding(severity, 'goal_deviation'),
    title: 'Goal deviation: `git push --force origin main` goes beyond the goal "fix a typo"',
    rule: 'goal_deviation/escalation · git_force_push_protected (git.force_push)',
    target: 'git://origin/refs/heads/main',
    why: 'the default branch, which everyone builds and deploys from',
    instead: 'push to a new branch and open a pull request',
  });

  it('a deny names the detector, the rule and the target, and ends with Instead', () => {
    const v = decideIntent(ctx({ event: forcePush, findings: [explainedFinding('high')] }));
    assert.equal(v.decision, 'deny');
    assert.equal(v.reason, 'Warden blocked this action before it ran — goal_deviation (high): Goal deviation: `git push --force origin main` goes beyond the goal "fix a typo". Rule goal_deviation/escalation · git_force_push_protected (git.force_push). git://origin/refs/heads/main: the default branch, which everyone builds and deploys from. Instead: push to a new branch and open a pull request.');
    assert.deepEqual(v.explained, { rule: 'goal_deviation/escalation · git_force_push_protected (git.force_push)', target: 'git://origin/refs/heads/main', why: 'the default branch, which everyone builds and deploys from', instead: 'push to a new branch and open a pull request' });
    assert.doesNotMatch(v.remedy, /otherwise/, 'the alternative replaces the generic advice');
  });

  it('the command floor explains the command from the data file; for an agent that cannot ask, Instead stays last', () => {
    const v = decideIntent(ctx({ event: forcePush }));
    assert.equal(v.decision, 'ask');
    assert.equal(v.explained?.rule, 'git_force_push_protected (git.force_push)');
    assert.equal(v.explained?.target, 'git://origin/refs/heads/main');
    assert.match(v.reason, /no scope that allows it\. The default branch, which everyone builds and deploys from; rewrites the branch's history[^.]*\. Instead: push to a new branch and open a pull request\.$/);
    const codex = decideIntent(ctx({ event: forcePush, canAsk: false }));
    assert.match(codex.reason, /\(this agent cannot ask a person, so the call is denied\) Instead: push to a new branch and open a pull request\.$/);
  });

  it('an allowed benign call carries no explanation and no Instead', () => {
    const ls = { ...forcePush, command: 'ls', targets: [], action_class: 'read', destructive: false, severity: 'none' as const, rule_ids: [] };
    const v = decideIntent(ctx({ event: ls }));
    assert.equal(v.decision, 'allow');
    assert.equal(v.explained, undefined);
    assert.doesNotMatch(v.reason, /Instead/);
  });

  it("forAgent: the agent's text (reason — remedy) ends with the alternative", () => {
    const v = decideIntent(ctx({ event: forcePush, findings: [explainedFinding('high')] }));
    const text = forAgent(v.reason, v.remedy, v.explained!.instead);
    assert.doesNotMatch(text.reason, /Instead/);
    assert.ok(`${text.reason} — ${text.remedy}`.endsWith('(warden reinstate "s1"). Instead: push to a new branch and open a pull request.'), text.remedy);
    assert.deepEqual(forAgent('r', 'm', ''), { reason: 'r', remedy: 'm' });
    assert.deepEqual(forAgent('r. Instead: x.', '', 'x'), { reason: 'r. Instead: x.', remedy: '' });
  });
});

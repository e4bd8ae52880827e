/**
 * scope_drift: does an action reach outside the session's scope? With declared scope (session
 * or policy allow/deny), targets are judged against the patterns (declared.ts). Without an
 * allow-list, the first `learn_actions` actions teach a working set and later targets are
 * scored by how far they move from it (learned.ts); deny patterns apply in both modes. State
 * per session: the home directory, the working set, and the areas already reported (each
 * area is reported once per severity), all bounded.
 */
import type { AuditEvent } from '../../model/audit-event.js';
import type { Detector, DetectorContext } from '../detector.js';
import { SEVERITY_RANK, type FindingDraft } from '../../model/finding.js';
import { actionText, classText, isLiveAction } from '../common/actions.js';
import { BoundedMap, BoundedSet } from '../../lib/bounded.js';
import { inferHome } from '../common/home.js';
import { parseTarget } from '../common/targets.js';
import type { ScopeDriftConfig } from './config.js';
import { checkAllow, checkDeny, declaredScope, type DeclaredScope } from './declared.js';
import { eventTargets, type EventTarget } from './event-targets.js';
import { impactOf, isReadOnly, scoreTarget, scoreLearned } from './learned.js';
import type { Verdict } from './verdict.js';
import { WorkingSet } from './working-set.js';

interface ScopeState {
  home: string;
  /** Distinct actions (tool calls) seen while learning. */
  calls: BoundedSet<string>;
  ws: WorkingSet;
  reported: BoundedMap<string, number>;
  /** The declared scope last worked out, and what from (a session's lists are replaced, never changed, when it declares again). */
  declared?: { allow: readonly string[]; deny: readonly string[]; config: ScopeDriftConfig; scope: DeclaredScope };
}

/** The session's declared scope, worked out again only when its lists or the config change. */
function scopeOf(state: ScopeState, session: DetectorContext<ScopeDriftConfig>['session'], config: ScopeDriftConfig): DeclaredScope {
  const last = state.declared;
  if (last && last.allow === session.scope_allow && last.deny === session.scope_deny && last.config === config) return last.scope;
  const scope = declaredScope(session, config);
  state.declared = { allow: session.scope_allow, deny: session.scope_deny, config, scope };
  return scope;
}

function learning(state: ScopeState, config: ScopeDriftConfig): boolean {
  return state.calls.size < config.learn_actions;
}

/** Learning phase: teach the working set; score only destructive targets of kinds it already knows. */
function learnFrom(event: AuditEvent, targets: EventTarget[], state: ScopeState, config: ScopeDriftConfig): Verdict[] {
  state.calls.add(event.tool_call_id || event.event_id);
  if (event.cwd !== '') state.ws.learn(parseTarget(event.cwd.replace(/\/+$/, '') || '/'));
  const scored: Verdict[] = [];
  const impact = impactOf(event, config);
  for (const t of targets) {
    if (event.destructive && state.ws.hasKind(t.parsed.kind)) {
      const v = scoreTarget(event, t, state.ws, config, impact);
      if (v !== undefined) scored.push(v);
    } else {
      state.ws.learn(t.parsed, !isReadOnly(event, config));
    }
  }
  return scored;
}

function afterLearning(event: AuditEvent, targets: EventTarget[], state: ScopeState, config: ScopeDriftConfig): Verdict[] {
  const verdicts = scoreLearned(event, targets, state.ws, config);
  if (config.adopt_new_kinds && !event.destructive) {
    for (const t of targets) if (!state.ws.hasKind(t.parsed.kind)) state.ws.learn(t.parsed, !isReadOnly(event, config));
  }
  return verdicts;
}

function worst(a: Verdict, b: Verdict): Verdict {
  const d = SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity];
  return d > 0 || (d === 0 && b.score > a.score) ? b : a;
}

function toDraft(event: AuditEvent, v: Verdict, others: number, state: ScopeState, config: ScopeDriftConfig): FindingDraft {
  const action = actionText(event);
  const title = v.reason === 'deny'
    ? `Scope drift: ${action} touches never-touch target ${v.target}`
    : `Scope drift: ${action} reaches ${v.target}, outside the ${v.reason === 'learned' ? "session's working set" : 'declared scope'}`;
  let explanation = `${action} ${classText(event)}: ${v.why}`;
  if (v.reason === 'learned') explanation += ` Working set learned from the first ${config.learn_actions} actions: ${state.ws.describe()}.`;
  if (others > 0) explanation += ` ${others} more target${others === 1 ? '' : 's'} of this action drift as well.`;
  return { severity: v.severity, score: Number(v.score.toFixed(3)), title, explanation, evidence: [event.event_id], check: v.reason, target: v.target, ...(v.short ? { why: v.short } : {}) };
}

export function createScopeDriftDetector(): Detector<ScopeDriftConfig> {
  return {
    name: 'scope_drift',
    observe(event: AuditEvent, ctx: DetectorContext<ScopeDriftConfig>): FindingDraft[] {
      if (!isLiveAction(event)) return [];
      const config = ctx.config;
      const state = ctx.slot<ScopeState>(() => ({
        home: '',
        calls: new BoundedSet(config.learn_actions),
        ws: new WorkingSet(config),
        reported: new BoundedMap(config.max_reported),
      }));
      if (state.home === '' && event.cwd !== '') state.home = inferHome(event.cwd);
      const targets = eventTargets(event, state.home);
      const scope = scopeOf(state, ctx.session, config);
      const verdicts = checkDeny(event, targets, scope, state.ws);
      if (scope.allow.length > 0) verdicts.push(...checkAllow(event, targets, scope, config, state.ws));
      else if (learning(state, config)) verdicts.push(...learnFrom(event, targets, state, config));
      else verdicts.push(...afterLearning(event, targets, state, config));

      const fresh = verdicts.filter((v) => {
        const key = `${v.reason}\u0000${v.area}`;
        const rank = SEVERITY_RANK[v.severity];
        if ((state.reported.get(key) ?? 0) >= rank) return false;
        state.reported.set(key, rank);
        return true;
      });
      if (fresh.length === 0) return [];
      const top = fresh.reduce(worst);
      return [toDraft(event, top, fresh.length - 1, state, config)];
    },
  };
}

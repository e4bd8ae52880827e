/**
 * Declared scope: the session's `warden.scope.allow` / `warden.scope.deny` merged with the
 * policy's `allow` / `deny`. A target matching a deny pattern is at least high (critical when
 * the action is destructive). With an allow-list, a target matching none of it is medium for a
 * change, high for a destructive action, and `read_outside_allow` (low or silent) for a read.
 * Known targets (scratch space) never count against the allow-list; the `env://` pseudo-target
 * is judged only by patterns written for it.
 */
import type { AuditEvent } from '../../model/audit-event.js';
import type { FindingSeverity } from '../../model/finding.js';
import type { SessionState } from '../session/session-state.js';
import { classMatchesAny } from '../common/class-patterns.js';
import { firstMatch, matchesAny, patternScheme } from '../common/globs.js';
import type { ScopeDriftConfig } from './config.js';
import type { EventTarget } from './event-targets.js';
import type { Verdict } from './verdict.js';
import type { WorkingSet } from './working-set.js';

export interface DeclaredScope {
  readonly allow: readonly string[];
  readonly deny: readonly string[];
  /** Where the patterns came from, for explanations. */
  source: string;
}

export function declaredScope(session: SessionState, config: ScopeDriftConfig): DeclaredScope {
  const allow = [...new Set([...session.scope_allow, ...config.allow])];
  const deny = [...new Set([...session.scope_deny, ...config.deny])];
  const fromSession = session.scope_allow.length + session.scope_deny.length > 0;
  const fromPolicy = config.allow.length + config.deny.length > 0;
  const source = fromSession && fromPolicy ? 'the session and policy' : fromSession ? 'the session' : 'policy';
  return { allow, deny, source };
}

function listed(patterns: readonly string[], limit = 3): string {
  return patterns.length <= limit ? patterns.join(', ') : `${patterns.slice(0, limit).join(', ')} (+${patterns.length - limit} more)`;
}

export function checkDeny(event: AuditEvent, targets: EventTarget[], scope: DeclaredScope, ws: WorkingSet): Verdict[] {
  const out: Verdict[] = [];
  for (const t of targets) {
    const hit = firstMatch(scope.deny, t.spellings);
    if (hit === undefined) continue;
    const severity: FindingSeverity = event.destructive ? 'critical' : 'high';
    const why = `${t.shown} matches the never-touch pattern ${hit} declared by ${scope.source}. ` +
      `Any action on a never-touch target is at least high${event.destructive ? '; this one is destructive, so critical' : ''}.`;
    const short = `matches never-touch ${hit} (declared by ${scope.source})`;
    out.push({ reason: 'deny', severity, score: event.destructive ? 1 : 0.9, target: t.shown, area: ws.areaKey(t.parsed), why, short });
  }
  return out;
}

export function checkAllow(event: AuditEvent, targets: EventTarget[], scope: DeclaredScope, config: ScopeDriftConfig, ws: WorkingSet): Verdict[] {
  if (scope.allow.length === 0) return [];
  const envPatterns = scope.allow.some((p) => patternScheme(p) === 'env');
  const isRead = !event.destructive && classMatchesAny(config.impact.read_classes, event.action_class);
  const out: Verdict[] = [];
  for (const t of targets) {
    if (t.pseudo && !envPatterns) continue;
    if (matchesAny(config.known_targets, t.spellings) || matchesAny(scope.allow, t.spellings)) continue;
    if (!event.destructive && matchesAny(config.workspace_remotes, t.spellings)) continue;
    let severity: FindingSeverity;
    let kind: string;
    if (event.destructive) [severity, kind] = ['high', 'a destructive action'];
    else if (!isRead) [severity, kind] = ['medium', 'a change'];
    else if (config.read_outside_allow === 'low') [severity, kind] = ['low', 'a read'];
    else continue;
    const why = `${t.shown} matches none of the allowed patterns declared by ${scope.source} (${listed(scope.allow)}); ` +
      `outside the allow-list, ${kind} is ${severity}.`;
    const score = { low: 0.4, medium: 0.6, high: 0.85, critical: 1 }[severity];
    const short = `outside the allowed ${listed(scope.allow)} (declared by ${scope.source})`;
    out.push({ reason: 'outside_allow', severity, score, target: t.shown, area: ws.areaKey(t.parsed), why, short });
  }
  return out;
}

/**
 * What a session declared in advance that lets the gate's command floor stand aside (see
 * decide-intent.ts): a scope whose `warden.scope.allow` patterns (the session's own declaration,
 * not the policy's) match every target of the action in one of the spellings scope_drift tries
 * (absolute, home-relative, as written), with no never-touch pattern matching any; or a
 * development or test environment, when no target names another environment. An action without
 * targets is not "within" a scope.
 */
import type { AuditEvent } from '../../model/audit-event.js';
import type { SessionDeclarations } from '../../model/session.js';
import { matchesAny } from '../../detect/common/globs.js';
import { inferHome } from '../../detect/common/home.js';
import { environmentsIn } from '../../detect/common/environments.js';
import { eventTargets } from '../../detect/scope-drift/event-targets.js';

/** Environments a session may declare to have destructive commands go without a person's look. */
const NON_PRODUCTION = new Set(['development', 'test']);

/** Why the command floor stands aside for this action, or null when it applies. */
export function floorExemption(session: Pick<SessionDeclarations, 'scope_allow' | 'scope_deny' | 'environment'>, event: AuditEvent): string | null {
  if (allowsEveryTarget(session, event)) return 'the session declared a scope that allows every target';
  const declared = environmentsIn(session.environment, false);
  if (declared.size === 0 || ![...declared].every((e) => NON_PRODUCTION.has(e))) return null;
  const named = environmentsIn(event.targets.join(' '), false);
  if ([...named].some((e) => !NON_PRODUCTION.has(e))) return null;
  return `the session declared a ${[...declared].join('/')} environment`;
}

export function allowsEveryTarget(session: Pick<SessionDeclarations, 'scope_allow' | 'scope_deny'>, event: AuditEvent): boolean {
  if (session.scope_allow.length === 0) return false;
  const targets = eventTargets(event, event.cwd === '' ? '' : inferHome(event.cwd)).filter((t) => !t.pseudo);
  if (targets.length === 0) return false;
  return targets.every((t) => matchesAny(session.scope_allow, t.spellings) && !matchesAny(session.scope_deny, t.spellings));
}

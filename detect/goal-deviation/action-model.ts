/**
 * What an action does, in the goal's terms: its impact level (from the classifier's action
 * class via `action_levels`; a destructive critical action counts as `destroy` when
 * `critical_is_destroy`), the environments it touches (its declared environment and the
 * environment words in its non-path targets: `k8s://current/staging`, `db://pg/prod_shop`),
 * and whether its targets are among the entities a goal names.
 */
import type { AuditEvent } from '../../model/audit-event.js';
import { classMatchesAny } from '../common/class-patterns.js';
import { environmentsIn } from '../common/environments.js';
import { schemeOf, targetBody } from '../common/targets.js';
import { words } from '../common/tokens.js';
import type { GoalDeviationConfig } from './config.js';

export interface ActionModel {
  level: number;
  environments: Set<string>;
}

/** Schemes whose names are too free-form to read environments from (paths, branch names). */
const NO_ENV_SCHEMES = new Set(['path', 'git']);

export function actionLevel(event: AuditEvent, config: GoalDeviationConfig): number {
  const destroy = config.levels.length - 1;
  if (config.critical_is_destroy && event.destructive && event.severity === 'critical') return destroy;
  const rule = config.action_levels.find((r) => classMatchesAny(r.classes, event.action_class || 'none'));
  return rule === undefined ? 0 : Math.max(0, config.levels.indexOf(rule.level));
}

export function actionEnvironments(event: AuditEvent): Set<string> {
  const envs = environmentsIn(event.environment, false);
  for (const t of event.targets) {
    if (NO_ENV_SCHEMES.has(schemeOf(t))) continue;
    for (const e of environmentsIn(words(targetBody(t)), false)) envs.add(e);
  }
  return envs;
}

export function readAction(event: AuditEvent, config: GoalDeviationConfig): ActionModel {
  return { level: actionLevel(event, config), environments: actionEnvironments(event) };
}

/** The goal entity a target names, if any (`tmp-cache` in `aws://…/s3/tmp-cache/x`). */
export function namedEntity(event: AuditEvent, entities: readonly string[]): string | undefined {
  // Targets name what the action touches; the command only stands in when there are none.
  const names = event.targets.length > 0 ? event.targets.map((t) => t.toLowerCase()) : [event.command.toLowerCase()];
  for (const e of entities) {
    if (e.length >= 3 ? names.some((n) => n.includes(e)) : names.some((n) => words(n).includes(e))) return e;
  }
  return undefined;
}

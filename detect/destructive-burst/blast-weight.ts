/**
 * How much one destructive action weighs in a burst: blast radius × severity × irreversibility,
 * capped. The radius is read from the classifier's verdict carried on the event — rule ids and
 * action class matched against the config's glob tables, `*` in a target — and the widest match
 * wins. Deletions of regenerable things (build output, caches) and of what the session itself
 * made (`own`, see own-resources.ts) are scaled down. The glob tables
 * are compiled once per config object.
 */
import picomatch from 'picomatch';
import type { AuditEvent } from '../../model/audit-event.js';
import type { BurstConfig } from './config.js';

type Matcher = (value: string) => boolean;

interface CompiledRadius {
  byRule: Array<[Matcher, string]>;
  byClass: Array<[Matcher, string]>;
  regenerable: Matcher[];
}

const compiled = new WeakMap<BurstConfig, CompiledRadius>();

function compile(config: BurstConfig): CompiledRadius {
  let c = compiled.get(config);
  if (!c) {
    c = {
      byRule: Object.entries(config.radius.by_rule).map(([glob, cls]) => [picomatch(glob), cls]),
      byClass: Object.entries(config.radius.by_action_class).map(([glob, cls]) => [picomatch(glob), cls]),
      regenerable: config.regenerable_rules.map((glob) => picomatch(glob)),
    };
    compiled.set(config, c);
  }
  return c;
}

export interface ActionWeight {
  radius: string;
  weight: number;
  regenerable: boolean;
  own: boolean;
}

export function blastRadius(event: AuditEvent, config: BurstConfig): string {
  const c = compile(config);
  const weights = config.weights.radius;
  let best = 'single';
  const consider = (cls: string): void => {
    if ((weights[cls] ?? 0) > (weights[best] ?? 0)) best = cls;
  };
  for (const rule of event.rule_ids) for (const [match, cls] of c.byRule) if (match(rule)) consider(cls);
  for (const [match, cls] of c.byClass) if (match(event.action_class)) consider(cls);
  if (config.radius.wildcard_targets && event.targets.some((t) => t.includes('*'))) consider('wildcard');
  return best;
}

export function actionWeight(event: AuditEvent, config: BurstConfig, own = false): ActionWeight {
  const w = config.weights;
  const radius = blastRadius(event, config);
  const regenerators = compile(config).regenerable;
  const regenerable = event.rule_ids.length > 0 && event.rule_ids.every((r) => regenerators.some((m) => m(r)));
  const severity = event.severity === 'none' ? 'low' : event.severity;
  let weight = (w.radius[radius] ?? 1) * w.severity[severity] * (event.reversible ? w.reversible : w.irreversible);
  if (regenerable) weight *= w.regenerable;
  if (own) weight *= w.own;
  return { radius, weight: Math.min(w.max_event, weight), regenerable, own };
}

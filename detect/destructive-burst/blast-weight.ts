/**
 * How much one destructive action weighs in a burst: blast radius × severity × irreversibility,
 * capped. The radius is read from the classifier's verdict carried on the event — rule ids and
 * action class matched against the config's glob tables, `*` in a target — and the widest match
 * wins. Deletions of regenerable things (build output, caches) and of what the session itself
 * made (`own`, see own-resources.ts) are scaled down. The glob tables
 * are compiled once per config object, and what they answer for a verdict (its rule ids and
 * action class) is remembered in a bounded memo: verdicts repeat far more than they vary.
 */
import picomatch from 'picomatch';
import { BoundedMap } from '../../lib/bounded.js';
import type { AuditEvent } from '../../model/audit-event.js';
import type { BurstConfig } from './config.js';

type Matcher = (value: string) => boolean;

interface CompiledRadius {
  byRule: Array<[Matcher, string]>;
  byClass: Array<[Matcher, string]>;
  regenerable: Matcher[];
  /** Rule ids and action class → the widest radius their globs give, and whether every rule is regenerable. */
  verdicts: BoundedMap<string, { radius: string; regenerable: boolean }>;
}

const MEMO_SIZE = 4096;

const compiled = new WeakMap<BurstConfig, CompiledRadius>();

function compile(config: BurstConfig): CompiledRadius {
  let c = compiled.get(config);
  if (!c) {
    c = {
      byRule: Object.entries(config.radius.by_rule).map(([glob, cls]) => [picomatch(glob), cls]),
      byClass: Object.entries(config.radius.by_action_class).map(([glob, cls]) => [picomatch(glob), cls]),
      regenerable: config.regenerable_rules.map((glob) => picomatch(glob)),
      verdicts: new BoundedMap(MEMO_SIZE),
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

/** What the classifier's verdict alone says: the widest radius of its rules and class, and regenerability. */
function readVerdict(event: AuditEvent, config: BurstConfig): { radius: string; regenerable: boolean } {
  const c = compile(config);
  const key = `${event.action_class}\u0000${event.rule_ids.join('\u0000')}`;
  const known = c.verdicts.lookup(key);
  if (known) return known;
  const weights = config.weights.radius;
  let radius = 'single';
  const consider = (cls: string): void => {
    if ((weights[cls] ?? 0) > (weights[radius] ?? 0)) radius = cls;
  };
  for (const rule of event.rule_ids) for (const [match, cls] of c.byRule) if (match(rule)) consider(cls);
  for (const [match, cls] of c.byClass) if (match(event.action_class)) consider(cls);
  const regenerable = event.rule_ids.length > 0 && event.rule_ids.every((r) => c.regenerable.some((m) => m(r)));
  const verdict = { radius, regenerable };
  c.verdicts.set(key, verdict);
  return verdict;
}

export function blastRadius(event: AuditEvent, config: BurstConfig, verdict = readVerdict(event, config)): string {
  const { radius } = verdict;
  const weights = config.weights.radius;
  if (config.radius.wildcard_targets && (weights.wildcard ?? 0) > (weights[radius] ?? 0) && event.targets.some((t) => t.includes('*'))) return 'wildcard';
  return radius;
}

export function actionWeight(event: AuditEvent, config: BurstConfig, own = false): ActionWeight {
  const w = config.weights;
  const verdict = readVerdict(event, config);
  const radius = blastRadius(event, config, verdict);
  const { regenerable } = verdict;
  const severity = event.severity === 'none' ? 'low' : event.severity;
  let weight = (w.radius[radius] ?? 1) * w.severity[severity] * (event.reversible ? w.reversible : w.irreversible);
  if (regenerable) weight *= w.regenerable;
  if (own) weight *= w.own;
  return { radius, weight: Math.min(w.max_event, weight), regenerable, own };
}

/**
 * Config of the action-mix test: when a session's share of destructive actions is compared
 * with the agent's baseline, and how large the baseline store may grow.
 */
import type { Fields } from '../common/config-fields.js';

export interface MixConfig {
  enabled: boolean;
  /** Executions a session needs before its mix is judged. */
  min_actions: number;
  /** Destructive executions a session needs before its mix is judged. */
  min_destructive: number;
  /** Other sessions of the same tenant and agent the baseline needs. */
  min_baseline_sessions: number;
  /** Executions of other sessions the baseline needs. */
  min_baseline_events: number;
  /** z-score (binomial, against the baseline share) at or above which the mix deviates. */
  z_threshold: number;
  /** …and the session's destructive share must be at least this many times the baseline's. */
  min_ratio: number;
  /** Tenant+agent baselines kept (least recently used go first). */
  max_agents: number;
  /** Past this many executions a baseline halves its counts, so it follows recent behaviour. */
  max_events: number;
}

export function readMixConfig(f: Fields, base: MixConfig): MixConfig {
  const count = (name: keyof MixConfig, min = 0) => f.number(name, base[name] as number, { min, max: 1e9, integer: true });
  return {
    enabled: f.boolean('enabled', base.enabled),
    min_actions: count('min_actions', 1),
    min_destructive: count('min_destructive', 1),
    min_baseline_sessions: count('min_baseline_sessions', 1),
    min_baseline_events: count('min_baseline_events', 1),
    z_threshold: f.number('z_threshold', base.z_threshold, { min: 0, max: 100 }),
    min_ratio: f.number('min_ratio', base.min_ratio, { min: 1, max: 1000 }),
    max_agents: count('max_agents', 1),
    max_events: count('max_events', 10),
  };
}

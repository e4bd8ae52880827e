/**
 * The agent's action-mix baseline, shared across sessions: per tenant and agent, how many
 * executions its sessions ran and how many were destructive. A session's destructive share is
 * compared with the share of the agent's *other* sessions (its own counts are subtracted) by a
 * binomial z-score: z = (k − n·p₀) / √(n·p₀·(1 − p₀)), with p₀ smoothed (+1/+2) so an agent
 * that never destroyed anything still has a finite baseline. Bounded: at most `max_agents`
 * baselines (least recently used go first), and counts halve past `max_events`.
 */
import { errorFunction, zScore } from 'simple-statistics';
import { BoundedMap } from '../../lib/bounded.js';
import type { MixConfig } from './mix-config.js';

interface AgentCounts {
  sessions: number;
  events: number;
  destructive: number;
}

export interface SessionMix {
  /** Executions of this session. */
  n: number;
  /** Destructive executions of this session. */
  k: number;
}

export interface MixResult {
  z: number;
  /** One-sided p-value of a share at least this high under the baseline. */
  p: number;
  share: number;
  baseShare: number;
  baseSessions: number;
  baseEvents: number;
  baseDestructive: number;
}

export class BaselineStore {
  private readonly agents: BoundedMap<string, AgentCounts>;

  constructor(maxAgents: number) {
    this.agents = new BoundedMap(maxAgents);
  }

  private counts(key: string): AgentCounts {
    let c = this.agents.get(key);
    if (c === undefined) {
      c = { sessions: 0, events: 0, destructive: 0 };
      this.agents.set(key, c);
    } else this.agents.touch(key);
    return c;
  }

  startSession(key: string): void {
    this.counts(key).sessions++;
  }

  /** Records one execution; halves the agent's counts past `maxEvents`. */
  record(key: string, destructive: boolean, maxEvents: number): void {
    const c = this.counts(key);
    c.events++;
    if (destructive) c.destructive++;
    if (c.events > maxEvents) {
      c.events = Math.round(c.events / 2);
      c.destructive = Math.round(c.destructive / 2);
    }
  }

  /** The session's mix against the agent's other sessions, or undefined when either side is too small. */
  compare(key: string, mix: SessionMix, config: MixConfig): MixResult | undefined {
    const c = this.agents.get(key);
    if (c === undefined || mix.n < config.min_actions || mix.k < config.min_destructive) return undefined;
    const baseSessions = c.sessions - 1;
    const baseEvents = Math.max(0, c.events - mix.n);
    const baseDestructive = Math.max(0, Math.min(baseEvents, c.destructive - mix.k));
    if (baseSessions < config.min_baseline_sessions || baseEvents < config.min_baseline_events) return undefined;
    const p0 = (baseDestructive + 1) / (baseEvents + 2);
    const z = zScore(mix.k, mix.n * p0, Math.sqrt(mix.n * p0 * (1 - p0)));
    return {
      z, p: 0.5 * (1 - errorFunction(z / Math.SQRT2)), share: mix.k / mix.n, baseShare: p0,
      baseSessions, baseEvents, baseDestructive,
    };
  }
}

export function deviates(r: MixResult, config: MixConfig): boolean {
  return r.z >= config.z_threshold && r.share >= r.baseShare * config.min_ratio;
}

/**
 * Each agent's own pace of destruction, across its sessions: an exponentially weighted moving
 * average of destructive actions per active minute, kept per tenant and agent in a bounded map
 * (least recently seen agent forgotten first). A minute is active when the agent sent any
 * event in it; quiet minutes between active ones count as zeros up to `max_idle_gap_minutes`,
 * longer gaps are idleness and are not learned. Only closed minutes feed the average, so a burst
 * in progress is judged against the pace before it.
 */
import type { BaselineConfig } from './config.js';

const MINUTE_MS = 60_000;

export interface AgentRate {
  /** EWMA of destructive actions per active minute. */
  rate: number;
  /** Closed active minutes learned so far. */
  minutes: number;
}

interface Baseline extends AgentRate {
  minute: number;
  count: number;
}

export class AgentBaselines {
  private readonly agents = new Map<string, Baseline>();

  /** Notes that the agent was active at `nowMs`, and counts a destructive action when `destructive`. */
  note(agentKey: string, nowMs: number, destructive: boolean, config: BaselineConfig): void {
    const minute = Math.floor(nowMs / MINUTE_MS);
    let b = this.agents.get(agentKey);
    if (b) this.agents.delete(agentKey);
    else b = { rate: 0, minutes: 0, minute, count: 0 };
    this.agents.set(agentKey, b);
    if (minute > b.minute) {
      learn(b, b.count, config.alpha);
      const gap = minute - b.minute - 1;
      if (gap <= config.max_idle_gap_minutes) for (let i = 0; i < gap; i++) learn(b, 0, config.alpha);
      b.minute = minute;
      b.count = 0;
    }
    if (destructive) b.count++;
    while (this.agents.size > config.max_agents) {
      const oldest = this.agents.keys().next().value;
      if (oldest === undefined) break;
      this.agents.delete(oldest);
    }
  }

  rateOf(agentKey: string): AgentRate | undefined {
    const b = this.agents.get(agentKey);
    return b ? { rate: b.rate, minutes: b.minutes } : undefined;
  }

  get size(): number {
    return this.agents.size;
  }
}

function learn(b: Baseline, count: number, alpha: number): void {
  b.rate = b.minutes === 0 ? count : alpha * count + (1 - alpha) * b.rate;
  b.minutes++;
}

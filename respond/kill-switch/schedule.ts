/**
 * Timers as a collaborator. The outbox and the ClickHouse mirror wait through a ScheduleFn, so
 * production uses real (unref'd) timers and tests drive the schedule with a ManualScheduler over
 * a FakeClock: `advance(ms)` moves the clock to each due timer in turn, fires it, and lets the
 * work it started settle before moving on — a simulated minute of retries runs in milliseconds.
 */
import type { FakeClock } from '../../lib/clock.js';

export type Cancel = () => void;
export type ScheduleFn = (run: () => void, delayMs: number) => Cancel;

export const systemSchedule: ScheduleFn = (run, delayMs) => {
  const timer = setTimeout(run, Math.max(0, delayMs));
  timer.unref();
  return () => clearTimeout(timer);
};

interface Task {
  due: number;
  order: number;
  run: () => void;
}

export class ManualScheduler {
  private tasks: Task[] = [];
  private order = 0;

  constructor(
    private readonly clock: FakeClock,
    /** Awaited after each timer fires, e.g. until the outbox has no attempt in flight. */
    private readonly settle: () => Promise<void> = () => new Promise((resolve) => setImmediate(resolve)),
  ) {}

  readonly schedule: ScheduleFn = (run, delayMs) => {
    const task: Task = { due: this.clock.now() + Math.max(0, delayMs), order: this.order++, run };
    this.tasks.push(task);
    return () => {
      this.tasks = this.tasks.filter((t) => t !== task);
    };
  };

  /** Timers waiting, earliest first (their due times in clock ms). */
  pending(): number[] {
    return this.tasks.map((t) => t.due).sort((a, b) => a - b);
  }

  /** Moves the clock forward by `ms`, firing every timer that falls due on the way, in order. */
  async advance(ms: number): Promise<void> {
    const target = this.clock.now() + ms;
    await this.settle();
    for (;;) {
      const next = [...this.tasks].sort((a, b) => a.due - b.due || a.order - b.order)[0];
      if (!next || next.due > target) break;
      this.tasks = this.tasks.filter((t) => t !== next);
      if (next.due > this.clock.now()) this.clock.set(next.due);
      next.run();
      await this.settle();
    }
    this.clock.set(target);
  }
}

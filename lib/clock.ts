/**
 * Time as a collaborator. Production code takes a Clock; tests pass a FakeClock and advance it,
 * so window logic is tested without sleeping.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Nanoseconds since the epoch, as a bigint. */
  nowNs(): bigint;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  nowNs: () => BigInt(Date.now()) * 1_000_000n + (process.hrtime.bigint() % 1_000_000n),
};

export class FakeClock implements Clock {
  private ms: number;
  constructor(startMs = Date.UTC(2026, 0, 1)) {
    this.ms = startMs;
  }
  now(): number {
    return this.ms;
  }
  nowNs(): bigint {
    return BigInt(this.ms) * 1_000_000n;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
  set(ms: number): void {
    this.ms = ms;
  }
}

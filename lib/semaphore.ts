/**
 * At most `limit` asynchronous calls under way at once; the others wait their turn, first come
 * first served. What a call returns or throws is passed on as it is, and its slot is given back
 * either way.
 */
export class Semaphore {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`a semaphore's limit is an integer ≥ 1 (got ${limit})`);
  }

  /** Calls under way. */
  get active(): number {
    return this.running;
  }

  /** Calls waiting for a slot. */
  get queued(): number {
    return this.waiting.length;
  }

  async run<T>(call: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await call();
    } finally {
      const next = this.waiting.shift();
      // The slot passes straight to the next caller; `running` stays the same.
      if (next) next();
      else this.running--;
    }
  }
}

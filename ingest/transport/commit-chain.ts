/**
 * Ordered commits for pipelined batches of one partition. A consumer hands over each batch whose
 * handler returned a receipt; the chain commits batches strictly in order, each only once it and
 * every earlier batch are stored. The first failure ends the current generation: that batch and
 * all later ones in flight are neither committed nor reported again, and the consumer rewinds to
 * the failed batch. `add` resolves when there is room for another batch in flight, which is how
 * a slow or unavailable store pushes back on consumption.
 */
export interface ChainCallbacks {
  /** Commits the batch (it and everything before it are stored). */
  commit(): Promise<void> | void;
  /** Called once, for the first batch of a generation whose store or commit failed. */
  rewind(err: unknown): void;
}

export class CommitChain {
  private generation = 0;
  private tail: Promise<void> = Promise.resolve();
  private readonly waiting: Array<Promise<void>> = [];

  constructor(private readonly maxInFlight: number) {}

  get inFlight(): number {
    return this.waiting.length;
  }

  async add(stored: Promise<void>, callbacks: ChainCallbacks): Promise<void> {
    const generation = this.generation;
    stored.catch(() => {}); // observed below; never an unhandled rejection
    const entry = this.tail.then(async () => {
      if (generation !== this.generation) return;
      try {
        await stored;
        await callbacks.commit();
      } catch (err) {
        if (generation !== this.generation) return;
        this.generation++;
        callbacks.rewind(err);
      }
    });
    this.tail = entry;
    this.waiting.push(entry);
    void entry.then(() => {
      const i = this.waiting.indexOf(entry);
      if (i >= 0) this.waiting.splice(i, 1);
    });
    while (this.waiting.length >= this.maxInFlight) await this.waiting[0];
  }

  /** Resolves when every batch handed over so far is committed or abandoned. */
  drain(): Promise<void> {
    return this.tail;
  }
}

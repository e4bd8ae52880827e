/**
 * Ordered commits for pipelined batches of one partition. A consumer hands over each batch whose
 * handler returned a receipt; the chain commits batches strictly in order, each only once it and
 * every earlier batch are stored. The first failure ends the current generation: that batch and
 * all later ones in flight are neither committed nor reported again, and the consumer rewinds to
 * the failed batch. From that failure until the consumer calls `restart()` — when it delivers
 * the failed batch again — the chain is broken: batches handed over meanwhile (already fetched or
 * queued behind the failed one) are never committed, however their store ends, because a commit
 * is a position ("everything before this is done") and would carry the failed batch away with it.
 * `add` resolves when there is room for another batch in flight, which is how a slow or
 * unavailable store pushes back on consumption.
 */
export interface ChainCallbacks {
  /** Commits the batch (it and everything before it are stored). */
  commit(): Promise<void> | void;
  /** Called once, for the first batch of a generation whose store or commit failed. */
  rewind(err: unknown): void;
}

export class CommitChain {
  private generation = 0;
  private broken = false;
  private tail: Promise<void> = Promise.resolve();
  private readonly waiting: Array<Promise<void>> = [];

  constructor(private readonly maxInFlight: number) {}

  get inFlight(): number {
    return this.waiting.length;
  }

  /** True from a failure until `restart()`: batches handed over now will not be committed. */
  get isBroken(): boolean {
    return this.broken;
  }

  /** The consumer delivers again from the failed batch: what is handed over from now on commits. */
  restart(): void {
    this.broken = false;
  }

  async add(stored: Promise<void>, callbacks: ChainCallbacks): Promise<void> {
    stored.catch(() => {}); // observed below; never an unhandled rejection
    // Handed over after a failure and before the rewind: it is delivered again after the failed
    // batch, so this copy is never committed.
    if (this.broken) return;
    const generation = this.generation;
    const entry = this.tail.then(async () => {
      if (generation !== this.generation) return;
      try {
        await stored;
        await callbacks.commit();
      } catch (err) {
        if (generation !== this.generation) return;
        this.generation++;
        this.broken = true;
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

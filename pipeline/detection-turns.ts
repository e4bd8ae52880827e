/**
 * Batches taking turns at detection, so that a concurrent normalizer (the worker thread) can
 * decode the next batches while this thread detects the current one. A transport hands its
 * batches over one call at a time; with the worker, each call that waited for its own batch's
 * decoding left this thread idle during the round trip and the worker idle during detection, and
 * with small batches (the in-process queue hands over a few messages at a time) ingest fell
 * behind at a few thousand spans/s. Here a call takes a turn and returns at once: the work runs
 * when every earlier turn is done, in the order the turns were taken.
 *
 * At most `maxAhead` turns wait at once; `take()` waits for room beyond that (back-pressure on
 * the transport, and a bound on decoded batches held). When a turn's work fails, every turn
 * already taken behind it fails too without running (EARLIER_BATCH_FAILED, retryable): the
 * transport delivers the failed batch and everything after it again, so nothing may be detected
 * or stored past it. Turns taken after the failure run normally.
 */
import { RetryableError } from '../lib/errors.js';

export const EARLIER_BATCH_FAILED = 'EARLIER_BATCH_FAILED';

export interface Turn {
  /** Runs `work` once every earlier turn is done; rejects without running it if one of those failed. */
  run<T>(work: () => Promise<T>): Promise<T>;
}

export class DetectionTurns {
  private tail: Promise<void> = Promise.resolve();
  private waiting = 0;
  private readonly room: Array<() => void> = [];
  /** Turns are numbered; a failure fails every turn numbered up to `failedThrough`. */
  private taken = 0;
  private failedThrough = 0;

  constructor(private readonly maxAhead: number) {}

  /** Turns taken and not yet done. */
  get pending(): number {
    return this.waiting;
  }

  async take(): Promise<Turn> {
    while (this.waiting >= this.maxAhead) await new Promise<void>((resolve) => this.room.push(resolve));
    this.waiting++;
    const number = ++this.taken;
    const previous = this.tail;
    let done!: () => void;
    this.tail = new Promise<void>((resolve) => (done = resolve));
    const finish = (): void => {
      this.waiting--;
      this.room.shift()?.();
      done();
    };
    let used = false;
    return {
      run: async <T>(work: () => Promise<T>): Promise<T> => {
        if (used) throw new Error('a turn runs once');
        used = true;
        await previous;
        try {
          if (number <= this.failedThrough) throw new RetryableError(EARLIER_BATCH_FAILED, 'an earlier batch failed; this one is delivered again after it');
          try {
            return await work();
          } catch (err) {
            this.failedThrough = this.taken;
            throw err;
          }
        } finally {
          finish();
        }
      },
    };
  }
}

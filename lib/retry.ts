/**
 * Retry with capped exponential backoff and jitter, for operations whose failures are
 * retryable (storage down, broker unreachable). Permanent errors are rethrown at once.
 * The sleep function is a collaborator so tests run without real waiting.
 */
import { isRetryable } from './errors.js';

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  /** Called before each wait; return false to stop retrying and rethrow. */
  shouldContinue: () => boolean;
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void | Promise<void>;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function backoffDelay(attempt: number, initialMs: number, maxMs: number, random: () => number): number {
  const base = Math.min(maxMs, initialMs * 2 ** Math.min(attempt - 1, 30));
  return Math.round(base / 2 + (random() * base) / 2);
}

export async function retryWhileRetryable<T>(operation: () => Promise<T>, options: BackoffOptions): Promise<T> {
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (err) {
      if (!isRetryable(err) || !options.shouldContinue()) throw err;
      const delay = backoffDelay(attempt, options.initialMs, options.maxMs, random);
      await options.onRetry?.(err, attempt, delay);
      await sleep(delay);
    }
  }
}

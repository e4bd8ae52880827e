/**
 * Errors with stable codes. Every error Warden raises says whether retrying the same operation
 * can help: `retryable: false` means the input is bad (drop it, count it, answer 400);
 * `retryable: true` means something downstream is unavailable (back off, answer 503, retry).
 */
export interface WardenErrorOptions {
  retryable?: boolean;
  cause?: unknown;
  details?: Record<string, unknown>;
}

export class WardenError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  readonly details: Record<string, unknown>;

  constructor(code: string, message: string, options: WardenErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'WardenError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.details = options.details ?? {};
  }
}

/** Bad input: retrying the same bytes gives the same answer. */
export class PermanentError extends WardenError {
  constructor(code: string, message: string, options: Omit<WardenErrorOptions, 'retryable'> = {}) {
    super(code, message, { ...options, retryable: false });
    this.name = 'PermanentError';
  }
}

/** A dependency is down or overloaded: the same operation may succeed later. */
export class RetryableError extends WardenError {
  constructor(code: string, message: string, options: Omit<WardenErrorOptions, 'retryable'> = {}) {
    super(code, message, { ...options, retryable: true });
    this.name = 'RetryableError';
  }
}

export function isRetryable(err: unknown): boolean {
  return err instanceof WardenError ? err.retryable : false;
}

export function errorCode(err: unknown): string {
  return err instanceof WardenError ? err.code : 'INTERNAL';
}

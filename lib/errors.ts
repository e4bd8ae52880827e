/**
 * Errors with stable codes from the closed list (`error-codes.ts`): the code decides the HTTP
 * status and whether retrying the same operation can help (`retryable: false`: the input is bad
 * or the failure is Warden's own — drop it, count it; `retryable: true`: something downstream is
 * unavailable — back off, answer 429/503, retry). `PermanentError` and `RetryableError` accept
 * only codes of their kind, so a code's kind is checked where the error is raised.
 *
 * `ApiError` is an error whose message is written for the client: the HTTP error handler shows
 * it whatever the status, where other errors' 5xx messages stay in the log. Stages before the
 * HTTP layer (the OTLP receiver) raise it too.
 */
import { ERROR_CODES, type ErrorCode, type PermanentCode, type RetryableCode } from './error-codes.js';

export type { ErrorCode } from './error-codes.js';

export interface WardenErrorOptions {
  cause?: unknown;
  details?: Record<string, unknown>;
}

export class WardenError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: WardenErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'WardenError';
    this.code = code;
    this.retryable = ERROR_CODES[code].retryable;
    this.details = options.details ?? {};
  }

  /** The HTTP status of this error's code. */
  get statusCode(): number {
    return ERROR_CODES[this.code].status;
  }
}

/** Bad input, or a failure retrying cannot mend: the same operation gives the same answer. */
export class PermanentError extends WardenError {
  constructor(code: PermanentCode, message: string, options: WardenErrorOptions = {}) {
    super(code, message, options);
    this.name = 'PermanentError';
  }
}

/** A dependency is down or overloaded: the same operation may succeed later. */
export class RetryableError extends WardenError {
  constructor(code: RetryableCode, message: string, options: WardenErrorOptions = {}) {
    super(code, message, options);
    this.name = 'RetryableError';
  }
}

/** An error answered to an HTTP client with its message, under its code's status. */
export class ApiError extends WardenError {
  constructor(code: ErrorCode, message: string, options: WardenErrorOptions = {}) {
    super(code, message, options);
    this.name = 'ApiError';
  }
}

export function isRetryable(err: unknown): boolean {
  return err instanceof WardenError ? err.retryable : false;
}

export function errorCode(err: unknown): ErrorCode {
  return err instanceof WardenError ? err.code : 'INTERNAL';
}

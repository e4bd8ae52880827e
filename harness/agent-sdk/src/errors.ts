/**
 * The package's one error type: a code saying what failed, whether trying again can help, and
 * the HTTP status Warden answered (0 when it did not answer).
 */
export type WardenErrorCode =
  /** No connection, DNS failure, reset: Warden could not be reached. */
  | 'WARDEN_UNREACHABLE'
  /** No answer within the timeout. */
  | 'WARDEN_TIMEOUT'
  /** Warden answered 401 or 403: the token is missing, unknown or lacks the role. */
  | 'WARDEN_UNAUTHORIZED'
  /** Warden refused the request as invalid (400, 404, 413, 422) or refused some of its records. */
  | 'WARDEN_REJECTED'
  /** Warden answered 429 or 5xx: busy or failing, a later attempt may pass. */
  | 'WARDEN_UNAVAILABLE'
  /** The answer could not be read. */
  | 'WARDEN_BAD_ANSWER'
  /** The Kafka producer refused the message. */
  | 'KAFKA_SEND_FAILED'
  /** A callback the harness gave (onRevoked) threw. */
  | 'CALLBACK_FAILED'
  /** The client was closed. */
  | 'CLOSED';

const RETRYABLE: ReadonlySet<WardenErrorCode> = new Set(['WARDEN_UNREACHABLE', 'WARDEN_TIMEOUT', 'WARDEN_UNAVAILABLE', 'KAFKA_SEND_FAILED']);

export class WardenError extends Error {
  readonly code: WardenErrorCode;
  readonly retryable: boolean;
  readonly status: number;

  constructor(code: WardenErrorCode, message: string, options: { status?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'WardenError';
    this.code = code;
    this.retryable = RETRYABLE.has(code);
    this.status = options.status ?? 0;
  }
}

/** The code for an HTTP status Warden answered (not 2xx). */
export function codeOfStatus(status: number): WardenErrorCode {
  if (status === 401 || status === 403) return 'WARDEN_UNAUTHORIZED';
  if (status === 408) return 'WARDEN_TIMEOUT';
  if (status === 429 || status >= 500) return 'WARDEN_UNAVAILABLE';
  return 'WARDEN_REJECTED';
}

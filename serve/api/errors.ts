/**
 * Errors the HTTP layer answers with. Every error body is JSON `{error: {code, message}}` with a
 * stable code (OTLP routes answer with an OTLP Status instead, see routes/otlp.ts); 5xx bodies
 * never carry internals.
 */
import { WardenError } from '../../lib/errors.js';

export class ApiError extends WardenError {
  readonly statusCode: number;
  constructor(statusCode: number, code: string, message: string) {
    super(code, message, { retryable: statusCode === 429 || statusCode === 503 });
    this.statusCode = statusCode;
  }
}

export interface HttpErrorView {
  statusCode: number;
  code: string;
  message: string;
  retryAfterSeconds?: number;
}

const FASTIFY_CODES: Record<string, { status: number; code: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'BODY_TOO_LARGE' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'EMPTY_BODY' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'INVALID_CONTENT_LENGTH' },
  FST_ERR_VALIDATION: { status: 400, code: 'INVALID_REQUEST' },
};

/** Maps any thrown value to what the client is told. */
export function toHttpError(err: unknown): HttpErrorView {
  if (err instanceof ApiError) {
    return { statusCode: err.statusCode, code: err.code, message: err.message, ...(err.retryable ? { retryAfterSeconds: 1 } : {}) };
  }
  if (err instanceof WardenError) {
    if (err.code === 'BACKPRESSURE') return { statusCode: 429, code: err.code, message: 'Warden is busy; retry later', retryAfterSeconds: 1 };
    if (err.retryable) return { statusCode: 503, code: err.code, message: 'Warden cannot accept data right now; retry later', retryAfterSeconds: 2 };
    return { statusCode: 400, code: err.code, message: err.message };
  }
  const fastifyCode = (err as { code?: unknown } | null)?.code;
  if (typeof fastifyCode === 'string' && FASTIFY_CODES[fastifyCode]) {
    const mapped = FASTIFY_CODES[fastifyCode];
    return { statusCode: mapped.status, code: mapped.code, message: (err as Error).message };
  }
  const status = (err as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { statusCode: status, code: 'BAD_REQUEST', message: (err as Error).message };
  }
  return { statusCode: 500, code: 'INTERNAL', message: 'Internal Server Error' };
}

/**
 * What the HTTP layer answers for any thrown value. Every error body is JSON
 * `{error: {code, message}}` (OTLP routes answer with an OTLP Status instead, see
 * receive/http/otlp-status.ts) with a code from the closed list (lib/error-codes.ts), under the
 * one status the list gives that code — whichever stage raised it, so a Kafka or ClickHouse
 * failure is never answered as the client's fault. 5xx bodies never carry internals: only an
 * `ApiError`'s message, written for the client, is shown whatever its status.
 */
import { ERROR_CODES, type ErrorCode } from '../../lib/error-codes.js';
import { ApiError, WardenError } from '../../lib/errors.js';

export interface HttpErrorView {
  statusCode: number;
  code: ErrorCode;
  message: string;
  retryAfterSeconds?: number;
}

/** fastify's own errors (body parsing, schema validation) → codes of the list. */
const FASTIFY_CODES: Readonly<Record<string, ErrorCode>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'EMPTY_BODY',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'INVALID_CONTENT_LENGTH',
  FST_ERR_VALIDATION: 'INVALID_REQUEST',
};

/** What a client is told for a code, when the message is not written for it. */
function shownMessage(code: ErrorCode, message: string): string {
  const { status } = ERROR_CODES[code];
  if (status === 429) return 'Warden is busy; retry later';
  if (status === 503) return 'Warden cannot accept data right now; retry later';
  if (status >= 500) return 'Internal Server Error';
  return message;
}

function view(code: ErrorCode, message: string): HttpErrorView {
  const { status } = ERROR_CODES[code];
  const retryAfterSeconds = status === 429 ? 1 : status === 503 ? 2 : undefined;
  return { statusCode: status, code, message, ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }) };
}

/** Maps any thrown value to what the client is told. */
export function toHttpError(err: unknown): HttpErrorView {
  if (err instanceof ApiError) return view(err.code, err.message);
  if (err instanceof WardenError) return view(err.code, shownMessage(err.code, err.message));
  const fastifyCode = (err as { code?: unknown } | null)?.code;
  if (typeof fastifyCode === 'string' && FASTIFY_CODES[fastifyCode] !== undefined) return view(FASTIFY_CODES[fastifyCode], (err as Error).message);
  const status = (err as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) return view('BAD_REQUEST', (err as Error).message);
  return view('INTERNAL', 'Internal Server Error');
}

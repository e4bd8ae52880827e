/**
 * Forwards one gate call to the instance that owns its session and brings back its answer as
 * it was given: the same path and query, the same JSON body, the caller's credentials, and a
 * `warden-forwarded-by` header so the owner decides itself and never forwards again. Bounded by
 * `timeoutMs`; a connection failure or a timeout rejects (`GATE_OWNER_UNREACHABLE`, retryable).
 */
import { RetryableError } from '../../lib/errors.js';

export const FORWARDED_BY_HEADER = 'warden-forwarded-by';
/** What an owner that is no longer the owner answers a forwarded call with. */
export const MISDIRECTED_STATUS = 421;
/** Headers of the owner's answer that the caller gets too. */
const RELAYED = ['content-type', 'warden-hook-exit', 'warden-decision', 'warden-decision-id', 'server-timing'];

export interface ForwardedCall {
  /** The owner's advertised base URL. */
  url: string;
  /** Path and query of the original request. */
  path: string;
  body: unknown;
  authorization?: string;
  /** This instance's advertised URL. */
  from: string;
  timeoutMs: number;
}

export interface OwnerAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export async function forwardGateCall(call: ForwardedCall): Promise<OwnerAnswer> {
  let res: Response;
  let body: string;
  try {
    res = await fetch(new URL(call.path, call.url), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [FORWARDED_BY_HEADER]: call.from,
        ...(call.authorization ? { authorization: call.authorization } : {}),
      },
      body: JSON.stringify(call.body),
      signal: AbortSignal.timeout(call.timeoutMs),
    });
    body = await res.text();
  } catch (err) {
    const why = (err as Error).name === 'TimeoutError' ? `no answer within ${call.timeoutMs} ms` : (err as Error).message;
    throw new RetryableError('GATE_OWNER_UNREACHABLE', `the session's owner at ${call.url} could not be reached (${why})`, { cause: err });
  }
  const headers: Record<string, string> = {};
  for (const name of RELAYED) {
    const value = res.headers.get(name);
    if (value !== null) headers[name] = value;
  }
  return { status: res.status, headers, body };
}

/**
 * One HTTP exchange with Warden: JSON in, JSON out, the bearer token, a timeout. Any failure is
 * a WardenError (errors.ts) naming what happened; a 2xx answer is returned parsed.
 */
import { WardenError, codeOfStatus } from './errors.js';

export interface HttpTarget {
  /** Warden's base URL, e.g. http://127.0.0.1:4318 */
  url: string;
  token?: string | undefined;
  timeoutMs: number;
}

export async function requestJson(target: HttpTarget, method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
  const url = `${target.url.replace(/\/+$/, '')}${path}`;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (target.token) headers.authorization = `Bearer ${target.token}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(target.timeoutMs),
    });
  } catch (err) {
    const name = (err as { name?: string }).name;
    if (name === 'TimeoutError' || name === 'AbortError') throw new WardenError('WARDEN_TIMEOUT', `Warden did not answer ${method} ${url} within ${target.timeoutMs} ms`, { cause: err });
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new WardenError('WARDEN_UNREACHABLE', `Warden is unreachable at ${url}: ${cause?.code ?? cause?.message ?? (err as Error).message}`, { cause: err });
  }
  const text = await response.text().catch(() => '');
  if (!response.ok) {
    let detail = text.slice(0, 500);
    try {
      // API routes answer {error: {code, message}}; OTLP routes an OTLP Status {code, message}.
      const parsed = JSON.parse(text) as { error?: { code?: string; message?: string }; message?: string };
      const e = parsed.error ?? { message: parsed.message };
      detail = [e.code, e.message].filter(Boolean).join(': ') || detail;
    } catch {
      // not JSON: the text itself is the detail
    }
    throw new WardenError(codeOfStatus(response.status), `Warden answered ${response.status} to ${method} ${path}${detail ? `: ${detail}` : ''}`, { status: response.status });
  }
  if (text === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new WardenError('WARDEN_BAD_ANSWER', `Warden's answer to ${method} ${path} is not JSON: ${text.slice(0, 200)}`, { status: response.status, cause: err });
  }
}

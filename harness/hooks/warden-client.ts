/**
 * The request a hook client makes, under the hook's timeout: the hook endpoint
 * (`POST /api/v1/hooks/<agent>`, the agent's JSON as the body, the agent's answer back). Anything but a well-formed 2xx answer — refused
 * connection, timeout, 4xx (a bad token), 5xx, 429 — is a failure the caller resolves with its
 * fail mode.
 */
import type { HookConfig } from './hook-config.js';

export class WardenUnavailable extends Error {
  override readonly name = 'WardenUnavailable';
}

/** The answer's headers and body, both read within the hook's timeout. */
async function call(config: HookConfig, path: string, init: RequestInit): Promise<{ headers: Headers; body: string }> {
  const headers = new Headers(init.headers);
  if (config.token) headers.set('authorization', `Bearer ${config.token}`);
  // A timer that holds the process open, not AbortSignal.timeout's (unreferenced): when Warden
  // hung up mid-request, fetch could be left waiting with nothing else keeping the process alive,
  // and the hook exited 13 with no answer — which an agent reads as "not blocked".
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new DOMException('timeout', 'TimeoutError')), config.timeoutMs);
  try {
    let response: Response;
    let body: string;
    try {
      response = await fetch(`${config.url}${path}`, { ...init, headers, signal: deadline.signal });
      body = await response.text();
    } catch (err) {
      const cause = err instanceof Error && err.name === 'TimeoutError' ? `no answer within ${config.timeoutMs} ms` : String((err as Error).cause ?? err);
      throw new WardenUnavailable(`${config.url} unreachable: ${cause}`);
    }
    if (!response.ok) throw new WardenUnavailable(`${config.url}${path.split('?')[0]} answered ${response.status}${body ? `: ${body.slice(0, 200)}` : ''}`);
    return { headers: response.headers, body };
  } finally {
    clearTimeout(timer);
  }
}

/** Posts the hook payload (with the event named on the hook's command line, if any); resolves with the answer to print and the exit code Warden names. */
export async function postHook(config: HookConfig, agent: string, payload: string, event?: string): Promise<{ exitCode: number; body: string }> {
  const query = event ? `?event=${encodeURIComponent(event)}` : '';
  const { headers, body } = await call(config, `/api/v1/hooks/${encodeURIComponent(agent)}${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: payload,
  });
  const exitCode = Number(headers.get('warden-hook-exit') ?? '0');
  if (!Number.isInteger(exitCode) || exitCode < 0 || exitCode > 255) throw new WardenUnavailable(`bad warden-hook-exit header ${JSON.stringify(headers.get('warden-hook-exit'))}`);
  return { exitCode, body };
}

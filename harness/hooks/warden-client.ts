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

async function call(config: HookConfig, path: string, init: RequestInit): Promise<Response> {
  const headers = new Headers(init.headers);
  if (config.token) headers.set('authorization', `Bearer ${config.token}`);
  let response: Response;
  try {
    response = await fetch(`${config.url}${path}`, { ...init, headers, signal: AbortSignal.timeout(config.timeoutMs) });
  } catch (err) {
    const cause = err instanceof Error && err.name === 'TimeoutError' ? `no answer within ${config.timeoutMs} ms` : String((err as Error).cause ?? err);
    throw new WardenUnavailable(`${config.url} unreachable: ${cause}`);
  }
  if (!response.ok) {
    const text = await response.text().catch(() => '');
    throw new WardenUnavailable(`${config.url}${path.split('?')[0]} answered ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}`);
  }
  return response;
}

/** Posts the hook payload (with the event named on the hook's command line, if any); resolves with the answer to print and the exit code Warden names. */
export async function postHook(config: HookConfig, agent: string, payload: string, event?: string): Promise<{ exitCode: number; body: string }> {
  const query = event ? `?event=${encodeURIComponent(event)}` : '';
  const response = await call(config, `/api/v1/hooks/${encodeURIComponent(agent)}${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: payload,
  });
  const body = await response.text();
  const exitCode = Number(response.headers.get('warden-hook-exit') ?? '0');
  if (!Number.isInteger(exitCode) || exitCode < 0 || exitCode > 255) throw new WardenUnavailable(`bad warden-hook-exit header ${JSON.stringify(response.headers.get('warden-hook-exit'))}`);
  return { exitCode, body };
}

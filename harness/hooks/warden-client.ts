/**
 * The two requests a hook makes, each under the hook's timeout: forward the hook event as an
 * OTLP/JSON log (`POST /v1/logs`) and ask the verdict (`GET /api/v1/sessions/:id/verdict`).
 * Anything but a well-formed 2xx answer — refused connection, timeout, 4xx (a bad token), 5xx,
 * 429 — is a failure the caller resolves with its fail mode.
 */
import { encodeOtlp } from '../../ingest/otlp/index.js';
import type { DecodedLogRecord } from '../../ingest/otlp/records.js';
import type { HookConfig } from './hook-config.js';

export interface Verdict {
  allow: boolean;
  reason: string;
}

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

export async function sendHookLog(config: HookConfig, record: DecodedLogRecord): Promise<void> {
  const response = await call(config, '/v1/logs', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: new Uint8Array(encodeOtlp('logs', [record], 'otlp_json')),
  });
  await response.arrayBuffer();
}

export async function fetchVerdict(config: HookConfig, sessionId: string, tool: string, command: string): Promise<Verdict> {
  const query = new URLSearchParams({ tool, command });
  const response = await call(config, `/api/v1/sessions/${encodeURIComponent(sessionId)}/verdict?${query}`, { method: 'GET' });
  const body = (await response.json().catch(() => null)) as Partial<Verdict> | null;
  if (typeof body?.allow !== 'boolean') throw new WardenUnavailable('verdict answer is not {allow, reason}');
  return { allow: body.allow, reason: typeof body.reason === 'string' ? body.reason : '' };
}

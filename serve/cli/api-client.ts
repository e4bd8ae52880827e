/**
 * The HTTP client every operator command shares: where Warden is (--url, WARDEN_URL, or
 * http://127.0.0.1:$WARDEN_HTTP_PORT), which token to send (--token, WARDEN_TOKEN, or the token
 * file's admin token — see resolveToken), and one way to report failures: API errors print
 * `warden <command>: <CODE>: <message>` on stderr and exit 1.
 */
import type { Command } from 'commander';
import { loadClientSettings, loadConfig } from '../../config/config.js';
import { resolveToken } from './query.js';

export interface ConnectionOptions {
  url?: string;
  token?: string;
}

export class ApiRequestError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ApiRequestError';
    this.status = status;
    this.code = code;
  }
}

export interface ApiClient {
  readonly url: string;
  get<T>(path: string, query?: Record<string, string | number | undefined>): Promise<T>;
  post<T>(path: string, body: unknown, query?: Record<string, string | number | undefined>): Promise<T>;
}

export function createApiClient(url: string, token: string): ApiClient {
  const base = url.replace(/\/+$/, '');
  async function send<T>(method: string, path: string, query: Record<string, string | number | undefined> = {}, body?: unknown): Promise<T> {
    const qs = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== '') qs.set(key, String(value));
    const target = `${base}${path}${qs.size > 0 ? `?${qs}` : ''}`;
    let response: Response;
    try {
      response = await fetch(target, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (err) {
      throw new ApiRequestError(0, 'UNREACHABLE', `cannot reach Warden at ${base} (${String((err as Error).cause ?? err)}); is it running? (--url, WARDEN_URL)`);
    }
    const parsed = (await response.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
    if (!response.ok) {
      throw new ApiRequestError(response.status, parsed?.error?.code ?? `HTTP_${response.status}`, parsed?.error?.message ?? response.statusText);
    }
    return parsed as T;
  }
  return {
    url: base,
    get: (path, query) => send('GET', path, query),
    post: (path, body, query) => send('POST', path, query, body),
  };
}

/** The client for an operator command, from its --url/--token options and the environment. */
export function operatorClient(options: ConnectionOptions): ApiClient {
  const config = loadConfig();
  const url = options.url ?? loadClientSettings().url ?? `http://127.0.0.1:${config.http.port}`;
  return createApiClient(url, resolveToken(options.token, config.tokensFile));
}

/** Adds --url and --token to a command. */
export function withConnection(command: Command): Command {
  return command
    .option('--url <url>', 'Warden base URL (default WARDEN_URL or http://127.0.0.1:$WARDEN_HTTP_PORT)')
    .option('--token <token>', 'API token (default WARDEN_TOKEN or the admin token of the token file)');
}

/** Runs a command body; API and setup errors become one line on stderr and exit code 1. */
export async function reportErrors(name: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (err) {
    const text = err instanceof ApiRequestError ? `${err.code}: ${err.message}` : err instanceof Error ? err.message : String(err);
    process.stderr.write(`warden ${name}: ${text}\n`);
    process.exitCode = 1;
  }
}

/** `encodeURIComponent` for a session id in a path. */
export const sessionPath = (id: string, suffix = ''): string => `/api/v1/sessions/${encodeURIComponent(id)}${suffix}`;

/**
 * The operator API's client, shared by the CLI and the demo: JSON over fetch with a bearer
 * token; an API error becomes an ApiRequestError carrying the API's `{error: {code, message}}`,
 * and an unreachable Warden the code UNREACHABLE with what to check.
 */
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

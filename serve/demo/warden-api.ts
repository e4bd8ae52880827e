/**
 * The few operator-API reads the incident replays need (routes under serve/api/routes/): a session's state and
 * revocation (`GET /api/v1/sessions/:id`) and its findings (`GET /api/v1/findings?session=`).
 * Errors carry the API's `{error: {code, message}}` so a missing route or a bad token reads
 * plainly; a 404 for a session Warden has not seen yet is `null`, not an error.
 */
export interface RevocationView {
  at: string;
  by: string;
  reason: string;
  finding_id: string | null;
}

export interface SessionView {
  id: string;
  agent: string;
  state: 'active' | 'revoked';
  goal: string;
  revoked: RevocationView | null;
  counts: { events: number; intents: number; executions: number; destructive: number };
}

export interface FindingView {
  id: string;
  session_id: string;
  detector: string;
  severity: string;
  score: number;
  title: string;
  explanation: string;
  /** Event ids, the triggering event last. */
  evidence: string[];
  at: string;
}

export class WardenApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'WardenApiError';
  }
}

export class WardenApi {
  constructor(
    readonly baseUrl: string,
    private readonly token: string | undefined,
  ) {}

  private async get<T>(path: string): Promise<T | null> {
    const response = await fetch(`${this.baseUrl}${path}`, { headers: this.token ? { authorization: `Bearer ${this.token}` } : {} });
    const text = await response.text();
    if (response.status === 404 && text.includes('"NOT_FOUND"')) return null;
    if (!response.ok) {
      let code = String(response.status);
      let message = text.slice(0, 200);
      try {
        const body = JSON.parse(text) as { error?: { code?: string; message?: string } };
        code = body.error?.code ?? code;
        message = body.error?.message ?? message;
      } catch {
        // not JSON: keep the raw text
      }
      throw new WardenApiError(response.status, code, `GET ${path}: ${response.status} ${code}: ${message}`);
    }
    return JSON.parse(text) as T;
  }

  session(id: string): Promise<SessionView | null> {
    return this.get<SessionView>(`/api/v1/sessions/${encodeURIComponent(id)}`);
  }

  async findings(sessionId: string): Promise<FindingView[]> {
    const body = await this.get<{ findings: FindingView[] }>(`/api/v1/findings?session=${encodeURIComponent(sessionId)}&limit=100`);
    return body?.findings ?? [];
  }
}

/**
 * The few operator-API reads the incident replays need: a session's state and revocation
 * (`GET /api/v1/sessions/:id`) and its findings (`GET /api/v1/findings?session=`), through the
 * operator API's own client and in the API's own types. A 404 for a session Warden has not seen
 * yet is `null`, not an error.
 */
import type { Finding } from '../../model/finding.js';
import type { SessionView } from '../api/queries/session-view.js';
import { ApiRequestError, createApiClient, type ApiClient } from '../api/client.js';

export class WardenApi {
  private readonly client: ApiClient;

  constructor(
    readonly baseUrl: string,
    token: string | undefined,
  ) {
    this.client = createApiClient(baseUrl, token ?? '');
  }

  async session(id: string): Promise<SessionView | null> {
    try {
      return await this.client.get<SessionView>(`/api/v1/sessions/${encodeURIComponent(id)}`);
    } catch (err) {
      if (err instanceof ApiRequestError && err.status === 404 && err.code === 'NOT_FOUND') return null;
      throw err;
    }
  }

  async findings(sessionId: string): Promise<Finding[]> {
    const body = await this.client.get<{ findings: Finding[] }>('/api/v1/findings', { session: sessionId, limit: 100 });
    return body.findings;
  }
}

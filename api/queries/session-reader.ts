/**
 * Reads sessions for the operator API from all three places a session is known — live in the
 * SessionDirectory, stored in `sessions`, derived from `audit_events` — and merges them
 * (see session-view.ts). State is the RevocationService's current answer.
 *
 * Lists: each source is asked for up to `limit` sessions under the same filter, the union is
 * merged, filtered by state, sorted by last activity (newest first) and cut to `limit`; counts
 * for stored-only sessions on the page are then read from their events.
 */
import type { ClickHouseHandle } from '../../ingest/clickhouse-sink/index.js';
import type { SessionDirectory } from '../../detectors/session/session-directory.js';
import type { RevocationService } from '../../detectors/kill-switch/contracts.js';
import { fromLive, mergeSessionViews, type PartialView, type SessionView } from './session-view.js';
import type { SessionQuery } from './session-query.js';
import { storedSessions } from './session-rows.js';
import { sessionsFromEvents } from './session-activity.js';

export interface SessionReaderOptions {
  storage: ClickHouseHandle;
  sessions: SessionDirectory;
  revocations: Pick<RevocationService, 'revocationOf'>;
}

export interface SessionReader {
  get(tenant: string, sessionId: string): Promise<SessionView | null>;
  list(query: SessionQuery): Promise<SessionView[]>;
}

function byId(views: PartialView[]): Map<string, PartialView> {
  return new Map(views.map((v) => [v.id, v]));
}

export function createSessionReader(options: SessionReaderOptions): SessionReader {
  const { storage, sessions, revocations } = options;

  async function get(tenant: string, sessionId: string): Promise<SessionView | null> {
    const live = sessions.get(tenant, sessionId);
    const query: SessionQuery = { tenant, ids: [sessionId], limit: 1 };
    const [stored, derived] = await Promise.all([storedSessions(storage, query), sessionsFromEvents(storage, query)]);
    return mergeSessionViews({
      ...(live ? { live: fromLive(live) } : {}),
      ...(stored[0] ? { stored: stored[0] } : {}),
      ...(derived[0] ? { derived: derived[0] } : {}),
      revocation: revocations.revocationOf(tenant, sessionId),
    });
  }

  async function list(query: SessionQuery): Promise<SessionView[]> {
    const live = byId(
      sessions
        .list({ tenant: query.tenant, limit: query.limit, ...(query.state ? { state: query.state } : {}), ...(query.agent ? { agent: query.agent } : {}), ...(query.sinceMs !== undefined ? { sinceMs: query.sinceMs } : {}) })
        .map(fromLive),
    );
    const [storedList, derivedList] = await Promise.all([storedSessions(storage, query), sessionsFromEvents(storage, query)]);
    const stored = byId(storedList);
    const derived = byId(derivedList);
    const ids = new Set([...live.keys(), ...stored.keys(), ...derived.keys()]);
    const page = [...ids]
      .map((id) => ({ id, revocation: revocations.revocationOf(query.tenant, id) }))
      .filter(({ revocation }) => query.state === undefined || (query.state === 'revoked') === (revocation !== null))
      .map(({ id, revocation }) => ({ id, revocation, last: [live, stored, derived].map((m) => m.get(id)?.last_seen ?? '').sort().at(-1)! }))
      .sort((a, b) => (a.last < b.last ? 1 : a.last > b.last ? -1 : a.id.localeCompare(b.id)))
      .slice(0, query.limit);

    const missingCounts = page.filter(({ id }) => !live.has(id) && !derived.has(id)).map(({ id }) => id);
    if (missingCounts.length > 0) {
      for (const view of await sessionsFromEvents(storage, { tenant: query.tenant, ids: missingCounts, limit: missingCounts.length })) derived.set(view.id, view);
    }
    return page.flatMap(({ id, revocation }) => {
      const view = mergeSessionViews({
        ...(live.has(id) ? { live: live.get(id)! } : {}),
        ...(stored.has(id) ? { stored: stored.get(id)! } : {}),
        ...(derived.has(id) ? { derived: derived.get(id)! } : {}),
        revocation,
      });
      return view ? [view] : [];
    });
  }

  return { get, list };
}

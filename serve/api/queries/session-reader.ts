/**
 * Reads sessions for the operator API from all three places a session is known — live in the
 * SessionDirectory, stored in `sessions`, derived from `audit_events` — and merges them
 * (see session-view.ts). State is the RevocationService's current answer.
 *
 * Lists: each stored source is read in pages of `limit` (newest activity first) until it has
 * `limit` sessions in the wanted state or runs out (at most MAX_PAGES pages); the union with the
 * live sessions is merged, sorted by last activity and cut to `limit`. Pages of sessions known
 * from their events come from the session index (session-index.ts), not from every event.
 * Counts for stored-only sessions on the page are then read from the same index, by id — as is
 * what one session's events say of it (`get`): the merged rows of `session_activity` are what an
 * aggregation of its events gives (session-activity.ts, held to it by index-tables.chdb.test.ts).
 */
import type { ClickHouseHandle } from '../../../store/index.js';
import type { SessionDirectory } from '../../../detect/session/session-directory.js';
import type { RevocationService } from '../../../respond/kill-switch/contracts.js';
import type { RevocationInfo, SessionStatus } from '../../../model/session.js';
import { fromRecord, mergeSessionViews, type PartialView, type SessionView } from './session-view.js';
import type { SessionQuery } from './session-query.js';
import { storedSessions } from './session-rows.js';
import { sessionsByIdFromIndex, sessionsFromIndex } from './session-index.js';

/** How many pages a state-filtered list reads from one source before it settles for fewer. */
export const MAX_PAGES = 10;

export interface SessionReaderOptions {
  storage: ClickHouseHandle;
  sessions: SessionDirectory;
  revocations: Pick<RevocationService, 'revocationOf'>;
}

export interface SessionListQuery extends Omit<SessionQuery, 'ids' | 'offset'> {
  state?: SessionStatus;
}

export interface SessionReader {
  get(tenant: string, sessionId: string): Promise<SessionView | null>;
  list(query: SessionListQuery): Promise<SessionView[]>;
}

type Source = (handle: ClickHouseHandle, query: SessionQuery) => Promise<PartialView[]>;

export function createSessionReader(options: SessionReaderOptions): SessionReader {
  const { storage, sessions, revocations } = options;
  const revocationOf = (tenant: string, id: string): RevocationInfo | null => revocations.revocationOf(tenant, id);

  async function get(tenant: string, sessionId: string): Promise<SessionView | null> {
    const live = sessions.get(tenant, sessionId);
    const query: SessionQuery = { tenant, ids: [sessionId], limit: 1 };
    const [stored, derived] = await Promise.all([storedSessions(storage, query), sessionsByIdFromIndex(storage, tenant, [sessionId])]);
    return mergeSessionViews({
      ...(live ? { live: fromRecord(live) } : {}),
      ...(stored[0] ? { stored: stored[0] } : {}),
      ...(derived[0] ? { derived: derived[0] } : {}),
      revocation: revocationOf(tenant, sessionId),
    });
  }

  const wanted = (query: SessionListQuery, view: PartialView): boolean =>
    query.state === undefined || (query.state === 'revoked') === (revocationOf(query.tenant, view.id) !== null);

  /** Up to `limit` sessions of one source in the wanted state, newest first. */
  async function collect(source: Source, query: SessionListQuery): Promise<Map<string, PartialView>> {
    const found = new Map<string, PartialView>();
    for (let page = 0; page < MAX_PAGES && found.size < query.limit; page++) {
      const rows = await source(storage, { ...query, offset: page * query.limit });
      for (const view of rows) if (wanted(query, view) && found.size < query.limit) found.set(view.id, view);
      if (rows.length < query.limit || query.state === undefined) break;
    }
    return found;
  }

  async function list(query: SessionListQuery): Promise<SessionView[]> {
    // The directory's own state field may lag the revocation service: filter by the latter only.
    const filter = {
      tenant: query.tenant,
      limit: query.limit,
      ...(query.agent ? { agent: query.agent } : {}),
      ...(query.sinceMs !== undefined ? { sinceMs: query.sinceMs } : {}),
    };
    // Events without a session are not a session named '' (the SQL reads skip them too): they are
    // reported by GET /api/v1/ingest/unattributed.
    const live = new Map(sessions.list(filter).flatMap((s) => (s.id === '' ? [] : [[s.id, fromRecord(s)] as const])));
    for (const [id, view] of live) if (!wanted(query, view)) live.delete(id);
    const [stored, derived] = await Promise.all([collect(storedSessions, query), collect(sessionsFromIndex, query)]);
    const lastSeen = (id: string): string => [live, stored, derived].map((m) => m.get(id)?.last_seen ?? '').sort().at(-1) ?? '';
    const page = [...new Set([...live.keys(), ...stored.keys(), ...derived.keys()])]
      .map((id) => ({ id, last: lastSeen(id) }))
      .sort((a, b) => (a.last < b.last ? 1 : a.last > b.last ? -1 : a.id.localeCompare(b.id)))
      .slice(0, query.limit)
      .map(({ id }) => id);

    const missingCounts = page.filter((id) => !live.has(id) && !derived.has(id));
    if (missingCounts.length > 0) {
      for (const view of await sessionsByIdFromIndex(storage, query.tenant, missingCounts)) derived.set(view.id, view);
    }
    return page.flatMap((id) => {
      const view = mergeSessionViews({
        ...(live.has(id) ? { live: live.get(id)! } : {}),
        ...(stored.has(id) ? { stored: stored.get(id)! } : {}),
        ...(derived.has(id) ? { derived: derived.get(id)! } : {}),
        revocation: revocationOf(query.tenant, id),
      });
      return view ? [view] : [];
    });
  }

  return { get, list };
}

/**
 * SessionView: one session as the API shows it (`{id, tenant, agent, state, goal, scope,
 * revoked, counts}` plus user, environment, first/last activity and whether this instance holds
 * it live). A session may be known three ways — live in the SessionDirectory, stored in the
 * `sessions` table, or only through its events in `audit_events` — and `mergeSessionViews`
 * combines them field by field: live wins over stored, stored over derived-from-events. Whether
 * it is revoked is always the RevocationService's answer, the same one hook verdicts get.
 */
import { statusOf, zeroCounts, type RevocationInfo, type SessionCounts, type SessionRecord, type SessionStatus } from '../../../model/session.js';
import { msToRfc3339OrEmpty } from '../../../lib/rfc3339.js';

/**
 * The model's session record (model/session.ts) under the API's names: `agent` and `user` for
 * its ids, `scope` for its allow and deny lists, first/last seen as RFC 3339; with its status and
 * whether it is live. The wire schema (schemas.ts `SessionViewSchema`) is checked against it.
 */
export interface SessionView extends Pick<SessionRecord, 'id' | 'tenant' | 'environment' | 'goal' | 'revoked' | 'counts'> {
  agent: SessionRecord['agent_id'];
  user: SessionRecord['user_id'];
  state: SessionStatus;
  scope: { allow: SessionRecord['scope_allow']; deny: SessionRecord['scope_deny'] };
  /** RFC 3339; '' when unknown. */
  first_seen: string;
  last_seen: string;
  /** Held in memory by this instance (detectors are watching it). */
  live: boolean;
}

/** What one source knows; empty strings and arrays mean "not known here". */
export type PartialView = Omit<SessionView, 'state' | 'revoked' | 'live' | 'counts'> & {
  counts: SessionCounts | null;
  revoked: RevocationInfo | null;
};

/** A session record (a live session's, here) under the API's names: the one mapping from the model to the view. */
export function fromRecord(record: SessionRecord): PartialView {
  return {
    id: record.id,
    tenant: record.tenant,
    agent: record.agent_id,
    user: record.user_id,
    environment: record.environment,
    goal: record.goal,
    scope: { allow: [...record.scope_allow], deny: [...record.scope_deny] },
    revoked: record.revoked,
    counts: { ...record.counts },
    first_seen: msToRfc3339OrEmpty(record.first_seen_ms),
    last_seen: msToRfc3339OrEmpty(record.last_seen_ms),
  };
}

const pick = (...values: string[]): string => values.find((v) => v !== '') ?? '';
const pickList = (...values: string[][]): string[] => values.find((v) => v.length > 0) ?? [];
const earliest = (...values: string[]): string => values.filter((v) => v !== '').sort()[0] ?? '';
const latest = (...values: string[]): string => values.filter((v) => v !== '').sort().at(-1) ?? '';

export interface SessionSources {
  live?: PartialView;
  stored?: PartialView;
  derived?: PartialView;
  /** The RevocationService's current answer for this session. */
  revocation: RevocationInfo | null;
}

export function mergeSessionViews(sources: SessionSources): SessionView | null {
  const { live, stored, derived } = sources;
  const order = [live, stored, derived].filter((v): v is PartialView => v !== undefined);
  const first = order[0];
  if (first === undefined) return null;
  const field = (get: (v: PartialView) => string): string => pick(...order.map(get));
  return {
    id: first.id,
    tenant: first.tenant,
    agent: field((v) => v.agent),
    user: field((v) => v.user),
    environment: field((v) => v.environment),
    state: statusOf(sources.revocation),
    goal: field((v) => v.goal),
    scope: { allow: pickList(...order.map((v) => v.scope.allow)), deny: pickList(...order.map((v) => v.scope.deny)) },
    revoked: sources.revocation,
    // Counts: live ones are current; events in ClickHouse are complete; the stored row is the last resort.
    counts: live?.counts ?? derived?.counts ?? stored?.counts ?? zeroCounts(),
    first_seen: earliest(...order.map((v) => v.first_seen)),
    last_seen: latest(...order.map((v) => v.last_seen)),
    live: live !== undefined,
  };
}

/**
 * SessionView: one session as the API shows it (`{id, tenant, agent, state, goal, scope,
 * revoked, counts}` plus user, environment, first/last activity and whether this instance holds
 * it live). A session may be known three ways — live in the SessionDirectory, stored in the
 * `sessions` table, or only through its events in `audit_events` — and `mergeSessionViews`
 * combines them field by field: live wins over stored, stored over derived-from-events. Whether
 * it is revoked is always the RevocationService's answer, the same one hook verdicts get.
 */
import type { SessionCounts, SessionState, RevocationInfo } from '../../../detect/session/session-state.js';
import { msToRfc3339OrEmpty } from '../../../lib/rfc3339.js';

export interface SessionView {
  id: string;
  tenant: string;
  agent: string;
  user: string;
  environment: string;
  state: 'active' | 'revoked';
  goal: string;
  scope: { allow: string[]; deny: string[] };
  revoked: RevocationInfo | null;
  counts: SessionCounts;
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

export const ZERO_COUNTS: SessionCounts = { events: 0, intents: 0, executions: 0, destructive: 0 };

export function fromLive(state: SessionState): PartialView {
  return {
    id: state.id,
    tenant: state.tenant,
    agent: state.agent_id,
    user: state.user_id,
    environment: state.environment,
    goal: state.goal,
    scope: { allow: [...state.scope_allow], deny: [...state.scope_deny] },
    revoked: state.revoked,
    counts: { ...state.counts },
    first_seen: msToRfc3339OrEmpty(state.first_seen_ms),
    last_seen: msToRfc3339OrEmpty(state.last_seen_ms),
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
    state: sources.revocation ? 'revoked' : 'active',
    goal: field((v) => v.goal),
    scope: { allow: pickList(...order.map((v) => v.scope.allow)), deny: pickList(...order.map((v) => v.scope.deny)) },
    revoked: sources.revocation,
    // Counts: live ones are current; events in ClickHouse are complete; the stored row is the last resort.
    counts: live?.counts ?? derived?.counts ?? stored?.counts ?? { ...ZERO_COUNTS },
    first_seen: earliest(...order.map((v) => v.first_seen)),
    last_seen: latest(...order.map((v) => v.last_seen)),
    live: live !== undefined,
  };
}

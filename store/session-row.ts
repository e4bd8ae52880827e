/**
 * SessionRecord (model/session.ts) <-> `sessions` row (migration 002), the one place the table's
 * columns are named: the row written for a session, the columns read back (times as decimal
 * nanoseconds, 64-bit counts as decimal text), and the record a read row stands for. The table
 * keeps no intent or execution counts: a record read back has 0 for both. A revocation as storage
 * holds it (the `revocations` table, or a row's revoked_* columns) becomes the model's
 * RevocationInfo in `revocationOfRow`.
 */
import { statusOf, type RevocationInfo, type SessionRecord, type SessionStatus } from '../model/session.js';
import { msToRfc3339, nsToMs, nsToRfc3339OrEmpty } from '../lib/rfc3339.js';

/** RFC 3339 (`…T…Z`) to the text a DateTime64(9) column reads (the text as it is otherwise). */
const dateTime64 = (rfc3339: string): string => rfc3339.replace('T', ' ').replace(/Z$/, '');

/** Columns named as the record names them, and those the table names its own way. */
type SessionColumns = Pick<SessionRecord, 'tenant' | 'agent_id' | 'user_id' | 'goal' | 'scope_allow' | 'scope_deny' | 'environment'> & {
  session_id: SessionRecord['id'];
  revoked_by: RevocationInfo['by'];
  revoke_reason: RevocationInfo['reason'];
  /** '' when not revoked or revoked by hand. */
  finding_id: string;
};

/** The row Warden writes for a session; `version` orders the rows of one session (newest kept). */
export type SessionRowWritten = SessionColumns & {
  state: SessionStatus;
  /** DateTime64(9) text; null while active. */
  revoked_at: string | null;
  first_seen: string;
  last_seen: string;
  event_count: number;
  destructive_count: number;
  version: number;
};

/** A row as SESSION_ROW_COLUMNS selects it. */
export type SessionRowRead = SessionColumns & {
  /** The table's state text ('active' or 'revoked'). */
  state: string;
  revoked_ns: string | null;
  first_ns: string;
  last_ns: string;
  event_count: string;
  destructive_count: string;
};

/** The select list that reads a `sessions` row as a SessionRowRead. */
export const SESSION_ROW_COLUMNS = `session_id, tenant, agent_id, user_id, goal, scope_allow, scope_deny, environment,
            toString(state) AS state,
            if(isNull(revoked_at), NULL, toString(toUnixTimestamp64Nano(assumeNotNull(revoked_at)))) AS revoked_ns,
            revoked_by, revoke_reason, finding_id,
            toString(toUnixTimestamp64Nano(first_seen)) AS first_ns,
            toString(toUnixTimestamp64Nano(last_seen)) AS last_ns,
            toString(event_count) AS event_count, toString(destructive_count) AS destructive_count`;

export function sessionRow(s: SessionRecord, version: number): SessionRowWritten {
  return {
    tenant: s.tenant,
    session_id: s.id,
    agent_id: s.agent_id,
    user_id: s.user_id,
    goal: s.goal,
    scope_allow: s.scope_allow,
    scope_deny: s.scope_deny,
    environment: s.environment,
    state: statusOf(s.revoked),
    revoked_at: s.revoked ? dateTime64(s.revoked.at) : null,
    revoked_by: s.revoked?.by ?? '',
    revoke_reason: s.revoked?.reason ?? '',
    finding_id: s.revoked?.finding_id ?? '',
    first_seen: dateTime64(msToRfc3339(s.first_seen_ms)),
    last_seen: dateTime64(msToRfc3339(s.last_seen_ms)),
    event_count: s.counts.events,
    destructive_count: s.counts.destructive,
    version,
  };
}

/** A stored revocation as the model's RevocationInfo (`at` is '' when storage has no time). */
export function revocationOfRow(row: { at_ns: string | null; by: string; reason: string; finding_id: string }): RevocationInfo {
  return { at: nsToRfc3339OrEmpty(row.at_ns), by: row.by, reason: row.reason, finding_id: row.finding_id || null };
}

/** The revocation a row records, or null when its state is not revoked. */
export function rowRevocation(row: SessionRowRead): RevocationInfo | null {
  if (row.state !== 'revoked') return null;
  return revocationOfRow({ at_ns: row.revoked_ns, by: row.revoked_by, reason: row.revoke_reason, finding_id: row.finding_id });
}

/** The record a read row stands for, with the revocation in force given by the caller. */
export function recordOfRow(row: SessionRowRead, revoked: RevocationInfo | null): SessionRecord {
  return {
    tenant: row.tenant,
    id: row.session_id,
    agent_id: row.agent_id,
    user_id: row.user_id,
    goal: row.goal,
    scope_allow: row.scope_allow,
    scope_deny: row.scope_deny,
    environment: row.environment,
    first_seen_ms: nsToMs(row.first_ns),
    last_seen_ms: nsToMs(row.last_ns),
    revoked,
    counts: { events: Number(row.event_count), intents: 0, executions: 0, destructive: Number(row.destructive_count) },
  };
}

/**
 * Events stored without a session (`session_id = ''`) for one tenant since a time, per source,
 * each with the attribute that would have carried its session and what to set — both read from
 * the mapping tables (normalize/unattributed.ts), the same data the normalizer counted them by.
 */
import type { ClickHouseHandle } from '../../../store/index.js';
import type { SourceSession } from '../../../normalize/unattributed.js';
import { sessionHint } from '../../../normalize/unattributed.js';
import { msToRfc3339, nsToRfc3339OrEmpty } from '../../../lib/rfc3339.js';
import { queryRows, table } from './run-query.js';

export interface UnattributedGroup {
  source: string;
  /** The first attribute the source's mapping reads the session from. */
  expected_attribute: string;
  /** Every attribute it reads the session from, first found wins. */
  session_attributes: string[];
  events: number;
  first_seen: string;
  last_seen: string;
  hint: string;
}

export interface UnattributedAnswer {
  tenant: string;
  since: string;
  events: number;
  sources: UnattributedGroup[];
}

interface Row {
  source: string;
  event_count: string;
  first_ns: string;
  last_ns: string;
}

export async function eventsWithoutSession(
  handle: ClickHouseHandle,
  sessions: ReadonlyMap<string, SourceSession>,
  query: { tenant: string; sinceMs: number },
): Promise<UnattributedAnswer> {
  const rows = await queryRows<Row>(
    handle,
    'read events without a session',
    `SELECT source,
            count() AS event_count,
            toString(toUnixTimestamp64Nano(min(time))) AS first_ns,
            toString(toUnixTimestamp64Nano(max(time))) AS last_ns
       FROM ${table(handle, 'audit_events')} FINAL
      WHERE tenant = {tenant:String} AND session_id = '' AND time >= fromUnixTimestamp64Milli({since_ms:Int64}, 'UTC')
      GROUP BY source
      ORDER BY event_count DESC, source`,
    { tenant: query.tenant, since_ms: Math.trunc(query.sinceMs) },
  );
  const sources = rows.map((row): UnattributedGroup => {
    const entry = sessions.get(row.source);
    const attributes = entry?.attributes ?? [];
    return {
      source: row.source,
      expected_attribute: attributes[0] ?? '',
      session_attributes: attributes,
      events: Number(row.event_count),
      first_seen: nsToRfc3339OrEmpty(row.first_ns),
      last_seen: nsToRfc3339OrEmpty(row.last_ns),
      hint: sessionHint(entry),
    };
  });
  return {
    tenant: query.tenant,
    since: msToRfc3339(query.sinceMs),
    events: sources.reduce((n, s) => n + s.events, 0),
    sources,
  };
}

/**
 * Events without a session: which attribute would have carried it, and the count of them.
 *
 * A record whose mapping finds no session is still normalized and stored (session_id ''), and
 * counted in `warden_events_without_session_total{tenant, source, expected_attribute}`. The
 * expected attribute is the first session key of the record's mapping rule (the rule's own keys,
 * then its table's, then the base table's; the `trace` fallback is not an attribute), so both the
 * label and the API's answer come from the mapping tables, never from prose in code.
 *
 * Labels stay bounded: sources and attributes come from the mapping tables; tenants are the
 * token registry's, except on Kafka messages written by something else, which may name any
 * tenant — past MAX_TENANT_LABELS distinct tenants the rest are counted under OTHER_TENANTS.
 */
import type { Counter } from 'prom-client';
import type { CompiledRule } from './mapping-compile.js';
import type { MappingTable } from './mapping-table.js';
import { TRACE_SESSION_KEY } from './record-view.js';

export const MAX_TENANT_LABELS = 100;
export const OTHER_TENANTS = '_other';

/** The attributes a rule reads the session from, in order (without the trace fallback). */
export function sessionAttributesOf(rule: Pick<CompiledRule, 'fields'>): string[] {
  return rule.fields.session_id.filter((key) => key !== TRACE_SESSION_KEY);
}

/** The attribute a record of this rule should have carried its session in ('' when the tables name none). */
export function expectedSessionAttribute(rule: Pick<CompiledRule, 'fields'>): string {
  return sessionAttributesOf(rule)[0] ?? '';
}

type WithoutSessionCounter = Pick<Counter<'tenant' | 'source' | 'expected_attribute'>, 'inc'>;

/** Counts one event without a session per call; `rule` is the mapping rule that read the record. */
export function withoutSessionCounter(counter: WithoutSessionCounter): (tenant: string, rule: CompiledRule) => void {
  const tenants = new Set<string>();
  return (tenant, rule) => {
    if (!tenants.has(tenant) && tenants.size < MAX_TENANT_LABELS) tenants.add(tenant);
    counter.inc({ tenant: tenants.has(tenant) ? tenant : OTHER_TENANTS, source: rule.source, expected_attribute: expectedSessionAttribute(rule) });
  };
}

export interface SourceSession {
  source: string;
  /** Where the source's records carry their session, first found wins. */
  attributes: string[];
  /** Whether some of its tool spans fall back to `trace:<trace id>` when none of them is set. */
  traceFallback: boolean;
}

/**
 * Per source, the table-level session attributes (its own, then the base table's) — what the API
 * reports for stored events, which keep their source but not their rule.
 */
export function sessionAttributesBySource(tables: readonly MappingTable[]): Map<string, SourceSession> {
  const base = tables.find((t) => t.base);
  const out = new Map<string, SourceSession>();
  for (const table of tables) {
    const attributes: string[] = [];
    for (const key of [...(table.fields.session_id ?? []), ...(table.base ? [] : (base?.fields.session_id ?? []))]) {
      if (!attributes.includes(key)) attributes.push(key);
    }
    out.set(table.source, { source: table.source, attributes, traceFallback: table.rules.some((r) => r.session_fallback === 'trace') });
  }
  return out;
}

/** What to set so a source's records get a session, said from its mapping table's keys. */
export function sessionHint(entry: SourceSession | undefined): string {
  if (entry === undefined || entry.attributes.length === 0) return 'no mapping table of this source names a session attribute';
  const [first, ...rest] = entry.attributes;
  const others = rest.length > 0 ? ` (or ${rest.join(', ')})` : '';
  const spans = entry.traceFallback ? '; its tool spans without one are keyed by trace id' : '';
  return `set ${first}${others} on ${entry.source} records${spans}`;
}

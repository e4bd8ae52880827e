/**
 * Who a record belongs to. The session id follows the mapping tables (first found wins:
 * the matching source's own keys — hooks' `session_id`, Codex's `conversation.id` — then
 * `session.id` · `gen_ai.conversation.id` · `conversation.id`), so the HTTP receiver keys Kafka
 * messages exactly as normalize will read them. A record without one gets '' and the pipeline
 * decides (we do not invent a session from the trace id: a trace is not a session, and a wrong
 * guess would split or merge sessions for the detectors).
 *
 * The tenant is the `warden.tenant` resource attribute, else the tenant bound to the ingest
 * token, else the configured default.
 */
import type { DecodedRecord } from '../otlp/records.js';
import { compileMappings, type CompiledMappings, type CompiledRule } from './mapping-compile.js';
import { loadMappingTables } from './mapping-load.js';
import { RecordView } from './record-view.js';
import { asString } from './values.js';

export const TENANT_ATTRIBUTE = 'warden.tenant';
export const DEFAULT_TENANT = 'default';

export function sessionIdIn(view: RecordView, rule: CompiledRule): string {
  for (const key of rule.fields.session_id) {
    const value = asString(view.get(key));
    if (value !== '') return value;
  }
  return '';
}

/** A sessionIdOf bound to a compiled mapping set. */
export function sessionIdReader(mappings: CompiledMappings): (record: DecodedRecord) => string {
  return (record) => {
    const view = new RecordView(record);
    return sessionIdIn(view, mappings.ruleFor(view));
  };
}

let defaultReader: ((record: DecodedRecord) => string) | undefined;

/** Session id of a record under the built-in mapping tables; '' when it has none. */
export function sessionIdOf(record: DecodedRecord): string {
  defaultReader ??= sessionIdReader(compileMappings(loadMappingTables()));
  return defaultReader(record);
}

/** Tenant per the identity rule; marks the resource attribute consumed when it is used. */
export function tenantOf(view: RecordView, boundTenant: string | undefined, defaultTenant: string): string {
  const declared = asString(view.resource[TENANT_ATTRIBUTE]);
  if (declared !== '') {
    view.consumed.add(TENANT_ATTRIBUTE);
    return declared;
  }
  return boundTenant || defaultTenant;
}

/**
 * Who a record belongs to. The session id follows the mapping tables (first found wins:
 * the matching source's own keys — hooks' `session_id`, Codex's `conversation.id` — then
 * `session.id` · `gen_ai.conversation.id` · `conversation.id`), so the HTTP receiver keys Kafka
 * messages exactly as normalize will read them. Only rules that say `session_fallback: trace`
 * (GenAI/framework tool spans, whose apps often set no session) fall back to `trace:<trace id>`;
 * any other record without one gets '' — stored all the same, and counted with the attribute
 * that would have carried it (unattributed.ts).
 *
 * The tenant: a message that came through Warden's OTLP/HTTP receiver carries the tenant the
 * receiver decided (`warden-tenant` transport header: the token's tenant, or the default tenant
 * for unauthenticated loopback ingest), and that is the tenant — a record cannot choose another.
 * A message without the header was written to Kafka by something else (an OTel Collector's Kafka
 * exporter): there the `warden.tenant` resource attribute is the source, else the configured
 * default. Whoever may write to those Kafka topics is trusted to name tenants — that is the
 * deployment's trust boundary, not this code's.
 */
import type { DecodedRecord } from '../decode/otlp/records.js';
import { compileMappings, type CompiledMappings, type CompiledRule } from './mapping-compile.js';
import { loadMappingTables } from './mapping-load.js';
import { RecordView } from './record-view.js';
import { asString } from '../decode/otlp/values.js';
import { DEFAULT_TENANT, TENANT_ATTRIBUTE } from '../model/tenant.js';

export { DEFAULT_TENANT, TENANT_ATTRIBUTE };

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

let defaultMappings: CompiledMappings | undefined;
let defaultReader: ((record: DecodedRecord) => string) | undefined;

/** Session id of a record under the built-in mapping tables; '' when it has none. */
export function sessionIdOf(record: DecodedRecord): string {
  defaultMappings ??= compileMappings(loadMappingTables());
  defaultReader ??= sessionIdReader(defaultMappings);
  return defaultReader(record);
}

/** Tool-call id of a record under the built-in mapping tables ('' when it has none): with the session, what keys an intent's id. */
export function toolCallIdOf(record: DecodedRecord): string {
  defaultMappings ??= compileMappings(loadMappingTables());
  const view = new RecordView(record);
  for (const key of defaultMappings.ruleFor(view).fields.tool_call_id) {
    const value = asString(view.get(key));
    if (value !== '') return value;
  }
  return '';
}

/**
 * Tenant per the identity rule; `receiverTenant` is the one the HTTP receiver decided (absent for
 * messages it did not write). The resource attribute is marked consumed when it names the tenant
 * chosen; one naming another tenant stays among the attributes, as evidence.
 */
export function tenantOf(view: RecordView, receiverTenant: string | undefined, defaultTenant: string): string {
  const declared = asString(view.resource[TENANT_ATTRIBUTE]);
  if (receiverTenant !== undefined && receiverTenant !== '') {
    if (declared === receiverTenant) view.consumed.add(TENANT_ATTRIBUTE);
    return receiverTenant;
  }
  if (declared !== '') {
    view.consumed.add(TENANT_ATTRIBUTE);
    return declared;
  }
  return defaultTenant;
}

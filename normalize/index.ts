/**
 * Normalization: decoded OTLP spans and log records → AuditEvents (identity, phase, tool call,
 * classification, redaction), driven by the per-source mapping tables in `sources/`.
 * `sessionIdOf` gives the session key the HTTP receiver uses for Kafka messages.
 */
export { createNormalizer, type Normalizer, type NormalizerDeps, type NormalizeContext, type NormalizeMetrics } from './normalizer.js';
export { sessionIdOf, DEFAULT_TENANT, TENANT_ATTRIBUTE } from './identity.js';
export { loadMappingTables, parseMappingTables, DEFAULT_MAPPINGS_DIR, MAPPING_INVALID } from './mapping-load.js';
export type { MappingTable, MappingRule, MatchCondition } from './mapping-table.js';

/**
 * The ClickHouse sink's public surface: open a client (embedded chdb or a server), migrate the
 * schema, write AuditEvent batches idempotently, and read them back; and the stores of the
 * later stages' tables — findings and session state, gate decisions, the revocation mirror —
 * with the rebuild of sessions from the trail, which the assembly passes to those stages.
 */
export { openClickHouse, OUTPUT_SETTINGS } from './open-clickhouse.js';
export type { ClickHouseEngine, ClickHouseHandle, OpenClickHouseOptions } from './open-clickhouse.js';
export { queueEngineCalls } from './engine-call-queue.js';
export { migrate, loadMigrations, DEFAULT_TTL_DAYS } from './migrations.js';
export type { Migration, MigrateOptions, MigrateResult } from './migrations.js';
export { ClickHouseAuditStore } from './audit-store.js';
export type { ClickHouseAuditStoreOptions } from './audit-store.js';
export { countEvents, eventsForSession } from './queries.js';
export type { EventFilter } from './queries.js';
export { mapStorageError } from './storage-errors.js';
export type { AuditStore, InsertEventsOptions } from './storage.js';
export { ClickHouseFindingStore, ClickHouseSessionStore } from './detection-stores.js';
export type { StoreOptions } from './detection-stores.js';
export { rowRevocation, SESSION_ROW_COLUMNS } from './session-row.js';
export type { SessionRowRead } from './session-row.js';
export { rebuildFromStore } from './session-rebuild.js';
export type { RebuildOptions, RebuildResult, RebuildTarget } from './session-rebuild.js';
export { ClickHouseDecisionStore } from './gate-decision-store.js';
export { ClickHouseRevocationMirror } from './revocation-mirror.js';

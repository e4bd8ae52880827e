/**
 * The kill switch's public surface: the pure decision, the revocation service and its wiring,
 * the hash-chained log and its verifier, the durable webhook outbox and the recovery pass that
 * fills it at start, endpoint configuration, the ClickHouse mirror and the revocation topic for
 * distributed mode.
 */
export type { Decision, ReinstateRequest, RevocationAction, RevocationRecord, RevocationService, RevokeRequest, Verdict } from './contracts.js';
export { decide } from './decide.js';
export { applyRevocation, revokeOnFinding, type RevocableSessions } from './session-revocations.js';
export { openKillSwitch } from './open-kill-switch.js';
export type { KillSwitch, OpenKillSwitchOptions } from './open-kill-switch.js';
export { createRevocationService } from './revocation-service.js';
export type { KillSwitchService, RevocationPublisher, RevocationServiceOptions, StateOrigin } from './revocation-service.js';
export { RevocationLog, REVOCATION_LOG_FILE } from './revocation-log.js';
export type { RecordMirror, RevocationLogOptions } from './revocation-log.js';
export { verifyLog } from './verify-log.js';
export { GENESIS_HASH, canonicalRecord, recordHash, verifyChain } from './record-chain.js';
export type { RevocationEntry, VerifyResult } from './record-chain.js';
export { WebhookOutbox, webhookId, DEFAULT_OUTBOX_RETRY, DEFAULT_OUTBOX_HISTORY_MS } from './webhook-outbox.js';
export type { EnqueuedMessage, WebhookOutboxOptions } from './webhook-outbox.js';
export { recoverWebhooks } from './webhook-recovery.js';
export type { WebhookRecovery, WebhookRecoveryOptions } from './webhook-recovery.js';
export { OUTBOX_FILE } from './outbox-store.js';
export { createHttpWebhookSender, signedHeaders, classifyStatus, DEFAULT_WEBHOOK_TIMEOUT_MS } from './webhook-sender.js';
export type { DeliveryOutcome, WebhookMessage, WebhookSender } from './webhook-sender.js';
export { loadWebhookEndpoints, generateWebhookSecret, WEBHOOK_EVENT_TYPES, DEFAULT_WEBHOOK_EVENTS } from '../../config/webhook-endpoints.js';
export type { WebhookEndpoint, WebhookEventType } from '../../config/webhook-endpoints.js';
export { KafkaRevocationPublisher, KafkaRevocationSubscriber, DEFAULT_REVOCATION_TOPIC } from './revocation-topic.js';
export { systemSchedule, ManualScheduler } from './schedule.js';
export type { ScheduleFn } from './schedule.js';
export { killSwitchMetrics } from './kill-switch-metrics.js';

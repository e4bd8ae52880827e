-- The gate's memory that must outlive the instance holding it: when a session's owner changes
-- (a rebalance, an instance killed) or an embedded Warden restarts, the next owner reads these
-- back with the session's detector state and answers as the last owner would have.
--
-- gate_grants: an operator's allow-once — who, why, when, until when — and its use. An
-- append-only log of two rows per grant: state 1 when granted, state 2 (the same columns plus
-- the intent that used it) when used; ReplacingMergeTree keeps the used row at merge, and reads
-- take the highest state per grant (argMax), so they are right before any merge. Only grants
-- not yet expired are read back; the rows stay {ttl_days} days past expiry as the record of
-- who allowed what.
--
-- gate_stopped: the decisions that denied or asked (not those made because the session was
-- already revoked), with the key of the call they stopped (a hash of tenant, session, tool and
-- command or arguments) and the decision itself as JSON: the same call asked again is stopped
-- again, the same intent retried gets the same answer, and an operator can still allow it once
-- on the next owner. Read back for the sessions active within WARDEN_REBUILD_MINUTES (at most
-- 7 days), so rows go 8 days after the intent.
--
-- The tenant leads every key. Times are clamped below 2106-02-07 before the TTL arithmetic,
-- like audit_events (022), so it cannot wrap.
-- Placeholders {database} and {ttl_days} are substituted by the migration runner.
CREATE TABLE IF NOT EXISTS {database}.gate_grants
(
    tenant          LowCardinality(String),
    session_id      String,
    grant_id        String,
    call_key        String,
    decision_id     String,
    `by`            String,
    reason          String,
    granted_at      DateTime64(3, 'UTC'),
    expires_at      DateTime64(3, 'UTC'),
    state           UInt8,
    consumed_event  String,
    consumed_at     DateTime64(3, 'UTC'),
    inserted_at     DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(state)
ORDER BY (tenant, session_id, grant_id)
TTL toDateTime(least(expires_at, toDateTime64('2106-02-07 06:28:15', 3, 'UTC') - INTERVAL {ttl_days} DAY)) + INTERVAL {ttl_days} DAY DELETE;

CREATE TABLE IF NOT EXISTS {database}.gate_stopped
(
    tenant          LowCardinality(String),
    session_id      String,
    call_key        String,
    decision_id     String,
    event_id        String,
    at              DateTime64(9, 'UTC'),
    decision        String,
    inserted_at     DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(inserted_at)
PARTITION BY toYYYYMMDD(at)
ORDER BY (tenant, session_id, at, decision_id)
TTL toDateTime(least(at, toDateTime64('2106-02-07 06:28:15', 9, 'UTC') - INTERVAL 8 DAY)) + INTERVAL 8 DAY DELETE
SETTINGS ttl_only_drop_parts = 1;

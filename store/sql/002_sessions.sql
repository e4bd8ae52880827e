-- One row per agent session, rewritten whenever the session changes: each write carries a
-- higher `version`, and ReplacingMergeTree keeps the newest (read with FINAL or argMax).
CREATE TABLE IF NOT EXISTS {database}.sessions
(
    tenant              LowCardinality(String),
    session_id          String,
    agent_id            String,
    user_id             String,
    goal                String,
    scope_allow         Array(String),
    scope_deny          Array(String),
    environment         LowCardinality(String),
    state               Enum8('active' = 1, 'revoked' = 2),
    revoked_at          Nullable(DateTime64(9, 'UTC')),
    revoked_by          String,
    revoke_reason       String,
    finding_id          String,
    first_seen          DateTime64(9, 'UTC'),
    last_seen           DateTime64(9, 'UTC'),
    event_count         UInt64,
    destructive_count   UInt64,
    version             UInt64,
    updated_at          DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (tenant, session_id)
SETTINGS non_replicated_deduplication_window = 1000;

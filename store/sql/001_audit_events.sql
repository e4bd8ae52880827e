-- Every AuditEvent, one row each: what agents intended and executed.
-- Placeholders {database} and {ttl_days} are substituted by the migration runner.
-- Dedup: retried batches are dropped at insert time (insert_deduplication_token, which needs
-- non_replicated_deduplication_window on a non-replicated table); rows that still slip in twice
-- share the sorting key and collapse when parts merge (ReplacingMergeTree).
CREATE TABLE IF NOT EXISTS {database}.audit_events
(
    event_id        String,
    tenant          LowCardinality(String),
    session_id      String,
    agent_id        String,
    user_id         String,
    source          LowCardinality(String),
    signal          LowCardinality(String),
    name            String,
    trace_id        String,
    span_id         String,
    parent_span_id  String,
    phase           LowCardinality(String),
    tool            LowCardinality(String),
    tool_call_id    String,
    command         String,
    arguments       String,
    cwd             String,
    targets         Array(String),
    action_class    LowCardinality(String),
    rule_ids        Array(String),
    destructive     Bool,
    reversible      Bool,
    severity        LowCardinality(String),
    environment     LowCardinality(String),
    goal            String,
    scope_allow     Array(String),
    scope_deny      Array(String),
    decision        LowCardinality(String),
    status          LowCardinality(String),
    exit_code       Nullable(Int32),
    error_type      String,
    time            DateTime64(9, 'UTC'),
    end_time        DateTime64(9, 'UTC'),
    observed        DateTime64(9, 'UTC'),
    attributes      Map(String, String),
    redactions      UInt32,
    inserted_at     DateTime64(3, 'UTC') DEFAULT now64(3),
    INDEX idx_event_id event_id TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_targets targets TYPE bloom_filter(0.01) GRANULARITY 1
)
ENGINE = ReplacingMergeTree(inserted_at)
PARTITION BY toDate(time)
ORDER BY (tenant, session_id, time, event_id)
TTL toDateTime(time) + INTERVAL {ttl_days} DAY DELETE
SETTINGS non_replicated_deduplication_window = 10000, ttl_only_drop_parts = 1;

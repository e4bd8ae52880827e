-- What the gate answered each intended action, before it ran: the receipt's event id (the same
-- row of audit_events), the decision, the finding and rule behind it, and how long deciding took.
-- "What did Warden stop, and why" is one query on this table. Kept beyond the events' TTL, like
-- findings: it is the record of why an action never happened.
CREATE TABLE IF NOT EXISTS {database}.gate_decisions
(
    decision_id     String,
    event_id        String,
    tenant          LowCardinality(String),
    session_id      String,
    agent_id        String,
    tool            LowCardinality(String),
    tool_call_id    String,
    command         String,
    targets         Array(String),
    action_class    LowCardinality(String),
    decision        LowCardinality(String),
    would_be        LowCardinality(String),
    mode            LowCardinality(String),
    reason          String,
    detector        LowCardinality(String),
    severity        LowCardinality(String),
    finding_id      String,
    finding_ids     Array(String),
    latency_us      UInt32,
    at              DateTime64(9, 'UTC'),
    inserted_at     DateTime64(3, 'UTC') DEFAULT now64(3),
    INDEX idx_event_id event_id TYPE bloom_filter(0.001) GRANULARITY 1
)
ENGINE = ReplacingMergeTree(inserted_at)
PARTITION BY toYYYYMM(at)
ORDER BY (tenant, session_id, at, decision_id)
SETTINGS non_replicated_deduplication_window = 1000;

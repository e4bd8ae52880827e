-- What detectors concluded (the Finding of the API contract). Kept beyond the events' TTL:
-- a finding is the record of why a session was stopped. Re-emitted findings keep their id and
-- collapse at merge.
CREATE TABLE IF NOT EXISTS {database}.findings
(
    id              String,
    tenant          LowCardinality(String),
    session_id      String,
    agent_id        String,
    detector        LowCardinality(String),
    severity        LowCardinality(String),
    score           Float64,
    title           String,
    explanation     String,
    evidence        Array(String),
    at              DateTime64(9, 'UTC'),
    inserted_at     DateTime64(3, 'UTC') DEFAULT now64(3),
    INDEX idx_finding_id id TYPE bloom_filter(0.001) GRANULARITY 1
)
ENGINE = ReplacingMergeTree(inserted_at)
PARTITION BY toYYYYMM(at)
ORDER BY (tenant, session_id, at, id)
SETTINGS non_replicated_deduplication_window = 1000;

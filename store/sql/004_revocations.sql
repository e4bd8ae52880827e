-- Append-only log of every revoke and reinstate, hash-chained per session: `hash` covers the
-- record and `prev_hash`, so a removed or edited entry breaks the chain. Never updated, no TTL.
CREATE TABLE IF NOT EXISTS {database}.revocations
(
    tenant          LowCardinality(String),
    session_id      String,
    action          Enum8('revoke' = 1, 'reinstate' = 2),
    at              DateTime64(9, 'UTC'),
    `by`            String,
    reason          String,
    finding_id      String,
    prev_hash       String,
    hash            String,
    inserted_at     DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = MergeTree
ORDER BY (tenant, session_id, at, hash)
SETTINGS non_replicated_deduplication_window = 1000;

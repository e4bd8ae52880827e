-- The TTL read `time` as a DateTime (UInt32 seconds), whose arithmetic wraps past
-- 2106-02-07 06:28:15 UTC: a row timed within {ttl_days} days of that date was stored, then
-- deleted at its next merge as if long expired (2106-01-01 + 90 days read as 1970-02-22).
-- Times past 2106-02-07 are refused before storage (the normalizer and the store); a time
-- within {ttl_days} days of it now expires at 2106-02-07 06:28:15 — clamped, not wrapped.
-- Applies the configured ttl_days. Existing parts keep the expiry they were written with until
-- they merge (no rewrite of the table at start).
-- Placeholders {database} and {ttl_days} are substituted by the migration runner.
ALTER TABLE {database}.audit_events
    MODIFY TTL toDateTime(least(time, toDateTime64('2106-02-07 06:28:15', 9, 'UTC') - INTERVAL {ttl_days} DAY)) + INTERVAL {ttl_days} DAY DELETE
    SETTINGS materialize_ttl_after_modify = 0;

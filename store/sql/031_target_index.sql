-- Which sessions touched a target, for the post-incident search: one row per (tenant, target,
-- session, day) with the first and last time an event named it, kept by a materialized view on
-- every insert into audit_events (and filled once from the rows already there). Ordered by
-- target, so a pattern with a literal prefix reads a key range and any other pattern reads one
-- short column instead of every event's targets. The search finds its page of sessions here,
-- then reads their matching events from audit_events by primary key for exact counts. Only min
-- and max are kept, so replays, rows collapsed at merge, out-of-order arrival and a second fill
-- change nothing. Partitioned by day with the TTL of audit_events.
-- Placeholders {database} and {ttl_days} are substituted by the migration runner.
CREATE TABLE IF NOT EXISTS {database}.target_index
(
    tenant      LowCardinality(String),
    target      String,
    session_id  String,
    day         Date,
    first_time  SimpleAggregateFunction(min, DateTime64(9, 'UTC')),
    last_time   SimpleAggregateFunction(max, DateTime64(9, 'UTC'))
)
ENGINE = AggregatingMergeTree
PARTITION BY day
ORDER BY (tenant, target, session_id)
TTL toDateTime(least(last_time, toDateTime64('2106-02-07 06:28:15', 9, 'UTC') - INTERVAL {ttl_days} DAY)) + INTERVAL {ttl_days} DAY DELETE
SETTINGS ttl_only_drop_parts = 1;

CREATE MATERIALIZED VIEW IF NOT EXISTS {database}.target_index_mv TO {database}.target_index AS
SELECT tenant, target, session_id, toDate(time) AS day, min(time) AS first_time, max(time) AS last_time
  FROM {database}.audit_events
 ARRAY JOIN targets AS target
 GROUP BY tenant, target, session_id, day;

-- Rows stored before the view existed (rows inserted meanwhile may arrive twice: harmless).
INSERT INTO {database}.target_index
SELECT tenant, target, session_id, toDate(time) AS day, min(time) AS first_time, max(time) AS last_time
  FROM {database}.audit_events
 ARRAY JOIN targets AS target
 GROUP BY tenant, target, session_id, day;

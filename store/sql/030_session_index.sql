-- Sessions by last activity, for the operator's sessions list: one row per (tenant, session,
-- agent, day) holding the first and last event time, kept by a materialized view on every insert
-- into audit_events (and filled once from the rows already there). The list finds its page here
-- (newest activity first) instead of aggregating every event, then reads the page's sessions
-- from audit_events by primary key. Only min and max are kept: they come out the same whatever
-- audit_events collapses at merge, however often a row was replayed and in whatever order rows
-- arrived, so a duplicate or a second fill changes nothing. Counts are never kept here.
-- Partitioned by day with the TTL of audit_events, so expired days leave both tables.
-- Placeholders {database} and {ttl_days} are substituted by the migration runner.
CREATE TABLE IF NOT EXISTS {database}.session_index
(
    tenant      LowCardinality(String),
    session_id  String,
    agent_id    String,
    day         Date,
    first_time  SimpleAggregateFunction(min, DateTime64(9, 'UTC')),
    last_time   SimpleAggregateFunction(max, DateTime64(9, 'UTC'))
)
ENGINE = AggregatingMergeTree
PARTITION BY day
ORDER BY (tenant, session_id, agent_id)
TTL toDateTime(least(last_time, toDateTime64('2106-02-07 06:28:15', 9, 'UTC') - INTERVAL {ttl_days} DAY)) + INTERVAL {ttl_days} DAY DELETE
SETTINGS ttl_only_drop_parts = 1;

CREATE MATERIALIZED VIEW IF NOT EXISTS {database}.session_index_mv TO {database}.session_index AS
SELECT tenant, session_id, agent_id, toDate(time) AS day, min(time) AS first_time, max(time) AS last_time
  FROM {database}.audit_events
 GROUP BY tenant, session_id, agent_id, day;

-- Rows stored before the view existed. Rows inserted meanwhile may arrive twice: min and max
-- do not mind.
INSERT INTO {database}.session_index
SELECT tenant, session_id, agent_id, toDate(time) AS day, min(time) AS first_time, max(time) AS last_time
  FROM {database}.audit_events
 GROUP BY tenant, session_id, agent_id, day;

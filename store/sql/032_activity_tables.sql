-- Sessions and targets as their events describe them, aggregated as events arrive, so the
-- operator's sessions list and target search read one small row per session (or per session
-- and target) and day instead of every event. session_activity replaces session_index (030),
-- which held first and last times only and left the rest to a second read of audit_events;
-- target_activity, ordered by session, completes target_index (031, ordered by target): the
-- search finds its page of sessions in the one and reads their matches from the other.
--
-- Both tables hold only aggregates that come out the same whatever audit_events collapses at
-- merge, however often an event was stored and in whatever order events arrived:
--   * min / max of the time, and argMinIf states for the first non-empty declaration (the
--     first agent, user, environment, goal, scope) — a repeated row changes neither;
--   * counts as uniqExact states over (time, event_id), the sorting key audit_events
--     deduplicates on within a session, so an event stored twice is counted once, as FINAL
--     reads it. Intents, executions and other events are kept apart (their sum is the events).
-- A materialized view fills each table on every insert into audit_events; the rows already
-- there are aggregated once below (an event stored meanwhile may be aggregated twice: harmless).
-- The TTL of audit_events, so expired days leave both: session_activity is partitioned by day
-- like audit_events and drops whole days; target_activity, read by session, is not partitioned
-- (a session's rows stay together in few parts) and drops expired rows as its parts merge.
-- Small granules: a page of sessions reads only the few rows it needs.
-- Placeholders {database} and {ttl_days} are substituted by the migration runner.
DROP VIEW IF EXISTS {database}.session_index_mv;
DROP TABLE IF EXISTS {database}.session_index;

CREATE TABLE IF NOT EXISTS {database}.session_activity
(
    tenant       LowCardinality(String),
    session_id   String,
    agent_id     String,
    day          Date,
    first_time   SimpleAggregateFunction(min, DateTime64(9, 'UTC')),
    last_time    SimpleAggregateFunction(max, DateTime64(9, 'UTC')),
    first_user        AggregateFunction(argMinIf, String, DateTime64(9, 'UTC'), UInt8),
    first_environment AggregateFunction(argMinIf, String, DateTime64(9, 'UTC'), UInt8),
    first_goal        AggregateFunction(argMinIf, String, DateTime64(9, 'UTC'), UInt8),
    first_scope_allow AggregateFunction(argMinIf, Array(String), DateTime64(9, 'UTC'), UInt8),
    first_scope_deny  AggregateFunction(argMinIf, Array(String), DateTime64(9, 'UTC'), UInt8),
    intent_events     AggregateFunction(uniqExactIf, DateTime64(9, 'UTC'), String, UInt8),
    execution_events  AggregateFunction(uniqExactIf, DateTime64(9, 'UTC'), String, UInt8),
    other_events      AggregateFunction(uniqExactIf, DateTime64(9, 'UTC'), String, UInt8),
    destructive_events AggregateFunction(uniqExactIf, DateTime64(9, 'UTC'), String, UInt8)
)
ENGINE = AggregatingMergeTree
PARTITION BY day
ORDER BY (tenant, session_id, agent_id)
TTL toDateTime(least(last_time, toDateTime64('2106-02-07 06:28:15', 9, 'UTC') - INTERVAL {ttl_days} DAY)) + INTERVAL {ttl_days} DAY DELETE
SETTINGS ttl_only_drop_parts = 1, index_granularity = 1024, index_granularity_bytes = 262144;

CREATE MATERIALIZED VIEW IF NOT EXISTS {database}.session_activity_mv TO {database}.session_activity AS
SELECT tenant, session_id, agent_id, toDate(time) AS day,
       min(time) AS first_time, max(time) AS last_time,
       argMinIfState(user_id, time, toUInt8(user_id != '')) AS first_user,
       argMinIfState(toString(environment), time, toUInt8(environment != '')) AS first_environment,
       argMinIfState(goal, time, toUInt8(goal != '')) AS first_goal,
       argMinIfState(scope_allow, time, toUInt8(notEmpty(scope_allow))) AS first_scope_allow,
       argMinIfState(scope_deny, time, toUInt8(notEmpty(scope_deny))) AS first_scope_deny,
       uniqExactIfState(time, event_id, toUInt8(phase = 'intent')) AS intent_events,
       uniqExactIfState(time, event_id, toUInt8(phase = 'execution')) AS execution_events,
       uniqExactIfState(time, event_id, toUInt8(phase NOT IN ('intent', 'execution'))) AS other_events,
       uniqExactIfState(time, event_id, toUInt8(destructive)) AS destructive_events
  FROM {database}.audit_events
 GROUP BY tenant, session_id, agent_id, day;

INSERT INTO {database}.session_activity
SELECT tenant, session_id, agent_id, toDate(time) AS day,
       min(time), max(time),
       argMinIfState(user_id, time, toUInt8(user_id != '')),
       argMinIfState(toString(environment), time, toUInt8(environment != '')),
       argMinIfState(goal, time, toUInt8(goal != '')),
       argMinIfState(scope_allow, time, toUInt8(notEmpty(scope_allow))),
       argMinIfState(scope_deny, time, toUInt8(notEmpty(scope_deny))),
       uniqExactIfState(time, event_id, toUInt8(phase = 'intent')),
       uniqExactIfState(time, event_id, toUInt8(phase = 'execution')),
       uniqExactIfState(time, event_id, toUInt8(phase NOT IN ('intent', 'execution'))),
       uniqExactIfState(time, event_id, toUInt8(destructive))
  FROM {database}.audit_events
 GROUP BY tenant, session_id, agent_id, day;

CREATE TABLE IF NOT EXISTS {database}.target_activity
(
    tenant       LowCardinality(String),
    target       String,
    session_id   String,
    day          Date,
    first_time   SimpleAggregateFunction(min, DateTime64(9, 'UTC')),
    last_time    SimpleAggregateFunction(max, DateTime64(9, 'UTC')),
    first_agent  AggregateFunction(argMinIf, String, DateTime64(9, 'UTC'), UInt8),
    events       AggregateFunction(uniqExact, DateTime64(9, 'UTC'), String),
    destructive_events AggregateFunction(uniqExactIf, DateTime64(9, 'UTC'), String, UInt8)
)
ENGINE = AggregatingMergeTree
ORDER BY (tenant, session_id, target, day)
TTL toDateTime(least(last_time, toDateTime64('2106-02-07 06:28:15', 9, 'UTC') - INTERVAL {ttl_days} DAY)) + INTERVAL {ttl_days} DAY DELETE
SETTINGS index_granularity = 256, index_granularity_bytes = 262144;

CREATE MATERIALIZED VIEW IF NOT EXISTS {database}.target_activity_mv TO {database}.target_activity AS
SELECT tenant, target, session_id, toDate(time) AS day,
       min(time) AS first_time, max(time) AS last_time,
       argMinIfState(agent_id, time, toUInt8(agent_id != '')) AS first_agent,
       uniqExactState(time, event_id) AS events,
       uniqExactIfState(time, event_id, toUInt8(destructive)) AS destructive_events
  FROM {database}.audit_events
 ARRAY JOIN arrayDistinct(targets) AS target
 GROUP BY tenant, target, session_id, day;

INSERT INTO {database}.target_activity
SELECT tenant, target, session_id, toDate(time) AS day,
       min(time), max(time),
       argMinIfState(agent_id, time, toUInt8(agent_id != '')),
       uniqExactState(time, event_id),
       uniqExactIfState(time, event_id, toUInt8(destructive))
  FROM {database}.audit_events
 ARRAY JOIN arrayDistinct(targets) AS target
 GROUP BY tenant, target, session_id, day;

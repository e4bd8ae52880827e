-- Finalized session rows for the operator's sessions list, so a page is one short read instead
-- of a page of session_activity (032) whose sessions' aggregate states are merged from every
-- day's partition.
--
--   * session_summary: per tenant and session, the list's columns already finalized — the first
--     agent, user, environment, goal and scope, first and last activity, the counts — once over
--     all agents (by_agent = 0, agent_id '') and once per agent (by_agent = 1: what the list
--     filtered by that agent shows). Written by the summary job (store/session-summary-job.ts)
--     from session_activity; a ReplacingMergeTree read with FINAL, so a session's newest fold
--     (the highest version) is its row; a row whose session or agent has no events left (past
--     the TTL) is replaced by one marked `gone`.
--   * session_touches: the sessions an insert into audit_events touched since the job last
--     folded them, and when (the server's clock), kept by a materialized view: one short row per
--     session per insert, in partitions of one minute, which the job drops once it has folded
--     every touch in them. A session that has a touch is read from session_activity instead of
--     its summary row, so the list stays what a scan of every event gives — however late an
--     event's time, since touches go by when it was inserted, not by its time.
--
-- The first fold is made here, after the view exists (an insert meanwhile is both folded and
-- touched: harmless), so the list reads the summary from the first start on. The summary keeps
-- the TTL of audit_events on its last activity; touches have no TTL: the job drops them, and
-- a touch dropped before its session was folded would leave its summary row stale.
-- Placeholders {database} and {ttl_days} are substituted by the migration runner.
CREATE TABLE IF NOT EXISTS {database}.session_summary
(
    tenant       LowCardinality(String),
    by_agent     UInt8,
    agent_id     String,
    session_id   String,
    first_agent  String,
    user_id      String,
    environment  String,
    goal         String,
    scope_allow  Array(String),
    scope_deny   Array(String),
    first_time   DateTime64(9, 'UTC'),
    last_time    DateTime64(9, 'UTC'),
    intent_count      UInt64,
    execution_count   UInt64,
    other_count       UInt64,
    destructive_count UInt64,
    gone         UInt8,
    version      UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (tenant, by_agent, agent_id, session_id)
TTL toDateTime(least(last_time, toDateTime64('2106-02-07 06:28:15', 9, 'UTC') - INTERVAL {ttl_days} DAY)) + INTERVAL {ttl_days} DAY DELETE
SETTINGS index_granularity = 1024;

CREATE TABLE IF NOT EXISTS {database}.session_touches
(
    tenant      LowCardinality(String),
    session_id  String,
    touched_at  DateTime64(3, 'UTC')
)
ENGINE = MergeTree
PARTITION BY toStartOfMinute(touched_at)
ORDER BY (tenant, session_id);

CREATE MATERIALIZED VIEW IF NOT EXISTS {database}.session_touches_mv TO {database}.session_touches AS
SELECT tenant, session_id, now64(3, 'UTC') AS touched_at
  FROM {database}.audit_events
 WHERE session_id != ''
 GROUP BY tenant, session_id;

INSERT INTO {database}.session_summary (tenant, by_agent, agent_id, session_id, first_agent, user_id, environment, goal, scope_allow, scope_deny,
                                   first_time, last_time, intent_count, execution_count, other_count, destructive_count, gone, version)
SELECT tenant, 0, '', session_id,
       argMinIf(agent_id, first_time, agent_id != ''),
       argMinIfMerge(first_user), argMinIfMerge(first_environment), argMinIfMerge(first_goal),
       argMinIfMerge(first_scope_allow), argMinIfMerge(first_scope_deny),
       min(first_time), max(last_time),
       uniqExactIfMerge(intent_events), uniqExactIfMerge(execution_events),
       uniqExactIfMerge(other_events), uniqExactIfMerge(destructive_events), 0,
       toUInt64(toUnixTimestamp64Milli(now64(3, 'UTC'))) * 2
  FROM {database}.session_activity
 WHERE session_id != ''
 GROUP BY tenant, session_id;

INSERT INTO {database}.session_summary (tenant, by_agent, agent_id, session_id, first_agent, user_id, environment, goal, scope_allow, scope_deny,
                                   first_time, last_time, intent_count, execution_count, other_count, destructive_count, gone, version)
SELECT tenant, 1, agent_id, session_id,
       argMinIf(agent_id, first_time, agent_id != ''),
       argMinIfMerge(first_user), argMinIfMerge(first_environment), argMinIfMerge(first_goal),
       argMinIfMerge(first_scope_allow), argMinIfMerge(first_scope_deny),
       min(first_time), max(last_time),
       uniqExactIfMerge(intent_events), uniqExactIfMerge(execution_events),
       uniqExactIfMerge(other_events), uniqExactIfMerge(destructive_events), 0,
       toUInt64(toUnixTimestamp64Milli(now64(3, 'UTC'))) * 2
  FROM {database}.session_activity
 WHERE session_id != ''
 GROUP BY tenant, agent_id, session_id;

/**
 * A realistic audit trail generated inside ClickHouse (`INSERT … SELECT` from `numbers()`), for
 * the operator-query benchmark and the tests that hold the index tables to the base table.
 * Rows go into the same tables Warden writes (`audit_events`, `findings`, `sessions`) with the
 * same column semantics: sessions of ~`events / sessions` events each, started evenly over
 * `days` days before `endMs`, declaring agent, user, goal and scope on their first event, then
 * alternating intent and execution of tool calls on repository files, Kubernetes objects,
 * databases, git refs and buckets — a dozen files and a few of each other kind per session, as
 * an agent works on one task (a few percent destructive); one tenant in ten sessions is a
 * second tenant. Generation is deterministic: the same arguments give the same rows.
 */
import type { ClickHouseHandle } from '../../store/index.js';

export interface TrailShape {
  /** Events to generate (numbers `firstEvent` … `firstEvent + events - 1`). */
  events: number;
  sessions: number;
  days: number;
  /** The newest session starts at most this long before `endMs`. */
  endMs: number;
  /** Where this chunk starts in the event numbering (chunks of one trail share the shape). */
  firstEvent?: number;
  /** Total events of the trail (for chunked generation); defaults to `events`. */
  totalEvents?: number;
}

export const TENANTS = ['acme', 'globex'] as const;
export const AGENTS = ['claude-code', 'codex', 'gemini-cli'] as const;

/** Session number → its id (the same expression the SQL uses). */
export const sessionId = (k: number): string => `sess-${k}`;
export const tenantOf = (k: number): string => (k % 10 === 0 ? TENANTS[1] : TENANTS[0]);

/** Inserts `shape.events` events into `audit_events`. */
export async function generateEvents(handle: ClickHouseHandle, shape: TrailShape): Promise<void> {
  const total = shape.totalEvents ?? shape.events;
  const perSession = Math.max(1, Math.floor(total / shape.sessions));
  const spanS = shape.days * 86_400;
  const startS = Math.floor(shape.endMs / 1000) - spanS;
  const db = handle.database;
  // k: session number, j: event number within the session, h: a per-event hash for choices.
  await handle.client.command({
    query: `INSERT INTO ${db}.audit_events (event_id, tenant, session_id, agent_id, user_id, source, signal, name,
        trace_id, span_id, parent_span_id, phase, tool, tool_call_id, command, arguments, cwd, targets, action_class,
        rule_ids, destructive, reversible, severity, environment, goal, scope_allow, scope_deny, decision, status,
        exit_code, error_type, time, end_time, observed, attributes, redactions)
      SELECT
        lower(hex(cityHash64(number, 'event'))) AS event_id,
        if(k % 10 = 0, '${TENANTS[1]}', '${TENANTS[0]}') AS tenant,
        concat('sess-', toString(k)) AS session_id,
        if(j = 0 OR h % 7 != 0, ['${AGENTS.join("','")}'][k % 3 + 1], '') AS agent_id,
        if(j = 0, concat('user-', toString(k % 400)), '') AS user_id,
        ['claude-code', 'codex', 'gemini-cli'][k % 3 + 1] AS source,
        'log' AS signal,
        multiIf(j = 0, 'session.start', j % 2 = 1, 'tool_decision', 'tool_result') AS name,
        lower(hex(cityHash64(k, 'trace'))) AS trace_id,
        lower(hex(cityHash64(number, 'span'))) AS span_id,
        '' AS parent_span_id,
        multiIf(j = 0, 'session', j % 2 = 1, 'intent', 'execution') AS phase,
        if(j = 0, '', tool_name) AS tool,
        if(j = 0, '', concat('call-', toString(k), '-', toString(intDiv(j + 1, 2)))) AS tool_call_id,
        if(j = 0, '', concat(multiIf(kind = 5, 'kubectl delete pod ', kind = 6, 'psql -c "select" ', kind = 7, 'git push ', kind = 8, 'aws s3 rm ', 'cat '), arrayStringConcat(tgts, ' '))) AS command,
        '{}' AS arguments,
        concat(repo, '') AS cwd,
        if(j = 0, [], tgts) AS targets,
        if(destr, 'delete', if(j = 0, 'none', 'read')) AS action_class,
        if(destr, ['rule-' || toString(kind)], []) AS rule_ids,
        destr AS destructive,
        NOT destr AS reversible,
        if(destr, 'high', '') AS severity,
        if(j = 0, ['dev', 'staging', 'prod'][k % 3 + 1], '') AS environment,
        if(j = 0, concat('fix the failing build in ', repo), '') AS goal,
        if(j = 0, [concat(repo, '/**')], []) AS scope_allow,
        if(j = 0, ['k8s://prod/**'], []) AS scope_deny,
        '' AS decision,
        if(j % 2 = 0 AND j > 0, 'ok', '') AS status,
        if(j % 2 = 0 AND j > 0, toNullable(toInt64(h % 13 = 0)), NULL) AS exit_code,
        '' AS error_type,
        toDateTime64(start_s + j * 15 + h % 15, 9, 'UTC') + toIntervalNanosecond(h % 1000000000) AS time,
        time + toIntervalSecond(1) AS end_time,
        time AS observed,
        map('gen_ai.system', 'anthropic') AS attributes,
        0 AS redactions
      FROM (
        SELECT number,
               intDiv(number, ${perSession}) % ${shape.sessions} AS k,
               number % ${perSession} AS j,
               cityHash64(number, 'h') AS h,
               ${startS} + intDiv(k * ${spanS}, ${shape.sessions}) + cityHash64(k) % 600 AS start_s,
               h % 10 AS kind,
               h % 50 = 7 AND j > 0 AS destr,
               concat('/home/user-', toString(k % 400), '/repo-', toString(k % 5000)) AS repo,
               ['Bash', 'Edit', 'Read', 'Write'][h % 4 + 1] AS tool_name,
               multiIf(
                 kind < 5, [concat(repo, '/src/file', toString((k + intDiv(h, 10) % 12) % 40), '.ts')],
                 kind = 5, [concat('k8s://prod/default/pod/web-', toString((k + intDiv(h, 10) % 4) % 300))],
                 kind = 6, ['db://prod/orders', concat('db://prod/table_', toString((k + intDiv(h, 10) % 3) % 50))],
                 kind = 7, [concat('git://origin/refs/heads/', ['main', 'dev', 'release'][intDiv(h, 10) % 3 + 1])],
                 kind = 8, [concat('aws://s3/bucket-', toString(k % 1000), '/key', toString(intDiv(h, 10) % 8))],
                 []) AS tgts
          FROM numbers(${shape.firstEvent ?? 0}, ${shape.events})
      )`,
  });
}

/** Findings for one session in ten (two each) and a `sessions` row per session, as Warden writes them. */
export async function generateSessionsAndFindings(handle: ClickHouseHandle, shape: TrailShape): Promise<void> {
  const total = shape.totalEvents ?? shape.events;
  const perSession = Math.max(1, Math.floor(total / shape.sessions));
  const spanS = shape.days * 86_400;
  const startS = Math.floor(shape.endMs / 1000) - spanS;
  const db = handle.database;
  const start = `${startS} + intDiv(k * ${spanS}, ${shape.sessions}) + cityHash64(k) % 600`;
  await handle.client.command({
    query: `INSERT INTO ${db}.findings (id, tenant, session_id, agent_id, detector, severity, score, title, explanation, evidence, at)
      SELECT lower(hex(cityHash64(k, n, 'finding'))), if(k % 10 = 0, '${TENANTS[1]}', '${TENANTS[0]}'), concat('sess-', toString(k)),
             ['${AGENTS.join("','")}'][k % 3 + 1], ['destructive-burst', 'scope-drift', 'goal-drift'][n + 1],
             ['low', 'medium', 'high', 'critical'][(k + n) % 4 + 1], 0.5 + ((k + n) % 5) / 10, 'generated finding',
             'generated for the operator-query benchmark', [lower(hex(cityHash64(k, n, 'evidence')))],
             toDateTime64(${start} + ${perSession * 10} + n * 60, 9, 'UTC')
        FROM (SELECT intDiv(number, 2) * 10 + 3 AS k, number % 2 AS n FROM numbers(${2 * Math.ceil(shape.sessions / 10)}))
       WHERE k < ${shape.sessions}`,
  });
  await handle.client.command({
    query: `INSERT INTO ${db}.sessions (tenant, session_id, agent_id, user_id, goal, scope_allow, scope_deny, environment, state,
             revoked_at, revoked_by, revoke_reason, finding_id, first_seen, last_seen, event_count, destructive_count, version)
      SELECT if(k % 10 = 0, '${TENANTS[1]}', '${TENANTS[0]}'), concat('sess-', toString(k)), ['${AGENTS.join("','")}'][k % 3 + 1],
             concat('user-', toString(k % 400)), concat('fix the failing build in /home/user-', toString(k % 400), '/repo-', toString(k % 5000)),
             [], [], ['dev', 'staging', 'prod'][k % 3 + 1], if(v = 2 AND k % 50 = 3, 'revoked', 'active'),
             if(v = 2 AND k % 50 = 3, toNullable(toDateTime64(${start} + ${perSession * 10}, 9, 'UTC')), NULL),
             if(v = 2 AND k % 50 = 3, 'detector', ''), '', '',
             toDateTime64(${start}, 9, 'UTC'), toDateTime64(${start} + v * ${perSession * 7}, 9, 'UTC'), v * ${perSession / 2}, 0, v
        FROM (SELECT intDiv(number, 2) AS k, number % 2 + 1 AS v FROM numbers(${2 * shape.sessions}))
       WHERE v = 1 OR k % 5 = 0`,
  });
}

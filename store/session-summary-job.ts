/**
 * The session summary job: every `periodMs` it folds into `session_summary` (migration 036) the
 * sessions whose events changed — those with a row in `session_touches` (an insert into
 * `audit_events` touched them since they were last folded) and those whose oldest day has left
 * `session_activity` (past the TTL) — then drops the minutes of touches it has folded. Each
 * changed session gets finalized rows (all agents, and one per agent) computed from its
 * `session_activity` rows, at a version above every earlier fold; rows it had that have no
 * events any more are replaced by rows marked `gone`, at a version just below, so a row written
 * fresh in the same run wins.
 *
 * A minute of touches is dropped only when it ends before the run's watermark: the server's
 * clock (`now64()`, the clock touches are stamped with) less `marginMs`, taken before the fold
 * reads. An insert stamped before it has committed by the time the fold reads, as long as an
 * insert takes less than the margin to commit. So at any time a session without a touch has a
 * row equal to what its events say, and the sessions list reads the others from
 * `session_activity` (serve/api/queries/session-index.ts). Folding is idempotent: a run
 * repeated, or run by two instances at once, writes the same rows.
 *
 * `clock` and `periodMs` only schedule the runs (a fake clock drives `tick` in tests); a run
 * that fails is logged and counted, and the next tick folds what it did not.
 */
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import type { Metrics } from '../lib/metrics.js';
import type { ClickHouseHandle } from './open-clickhouse.js';
import { withStorageErrors } from './storage-errors.js';
import { LOCAL_SUFFIX } from './cluster-ddl.js';

export interface SessionSummaryJobOptions {
  storage: ClickHouseHandle;
  clock: Clock;
  logger: Logger;
  /** Failed runs are counted in `warden_errors_total{stage="session_summary"}`. */
  metrics?: Metrics;
  /** How often a run is due (WARDEN_SESSION_SUMMARY_PERIOD_MS). */
  periodMs: number;
  /**
   * How long an insert may take to commit after its touches were stamped (default 30 s). A test
   * with no insert in flight passes -60 000: the current minute's touches are dropped as well.
   */
  marginMs?: number;
  /** ClickHouse cluster (CLICKHOUSE_CLUSTER), if any: touches are dropped on every shard. */
  cluster?: string;
  /** How often `start` checks whether a run is due (default: a tenth of the period, ≥ 100 ms). */
  pollMs?: number;
  /** Sessions folded per pair of statements (default DEFAULT_SESSIONS_PER_FOLD). */
  sessionsPerFold?: number;
}

export interface SummaryRun {
  /** Sessions folded (changed since the previous watermark, or past the TTL). */
  sessions: number;
  /** This run's watermark (server time): touches stamped before it were folded. */
  watermark: string;
  /** Minutes of touches dropped, all of them folded. */
  droppedMinutes: number;
}

export const DEFAULT_SUMMARY_MARGIN_MS = 30_000;

/**
 * The changed sessions travel as list parameters, and the engine's cost of a list grows faster
 * than its length (measured on the embedded engine: 10,000 ids 95 ms, 50,000 1.3 s, 200,000
 * 6.1 s for the list alone), so a run that finds more — the first fold of a large trail, a
 * restart after a long stop — folds them in consecutive runs of the key, this many at a time.
 * A period's worth at thousands of spans/s is one fold.
 */
export const DEFAULT_SESSIONS_PER_FOLD = 5_000;

/** The finalized columns of one summary row, from a session's `session_activity` rows. */
const FINALIZED = `argMinIf(agent_id, first_time, agent_id != ''),
       argMinIfMerge(first_user), argMinIfMerge(first_environment), argMinIfMerge(first_goal),
       argMinIfMerge(first_scope_allow), argMinIfMerge(first_scope_deny),
       min(first_time), max(last_time),
       uniqExactIfMerge(intent_events), uniqExactIfMerge(execution_events),
       uniqExactIfMerge(other_events), uniqExactIfMerge(destructive_events)`;

const COLUMNS = `(tenant, by_agent, agent_id, session_id, first_agent, user_id, environment, goal, scope_allow, scope_deny,
       first_time, last_time, intent_count, execution_count, other_count, destructive_count, gone, version)`;

/**
 * The changed sessions, bound as lists read before the fold (a subquery would be read again by
 * each statement, and the first one changes what it reads). Tenants and ids are matched apart:
 * a session of one tenant folded under another's id is folded needlessly, never wrongly.
 */
const CHANGED = 'tenant IN {tenants:Array(String)} AND session_id IN {ids:Array(String)}';

/** The statements of one fold: the changed sessions, their old rows marked gone, their fresh rows. */
export function foldStatements(db: string): { changed: string; gone: string; fresh: string } {
  // Sessions with a touch not yet dropped, and sessions whose oldest folded day is no longer in
  // session_activity (its partition dropped past the TTL).
  const changed = `SELECT tenant, session_id FROM ${db}.session_touches
      UNION DISTINCT
      SELECT tenant, session_id FROM ${db}.session_summary FINAL
       WHERE by_agent = 0 AND gone = 0 AND toDate(first_time) < (SELECT min(day) FROM ${db}.session_activity)`;
  return {
    changed,
    // Every row the changed sessions have now, marked gone one version below the fresh rows.
    gone: `INSERT INTO ${db}.session_summary ${COLUMNS}
      SELECT tenant, by_agent, agent_id, session_id, first_agent, user_id, environment, goal, scope_allow, scope_deny,
             first_time, last_time, intent_count, execution_count, other_count, destructive_count, 1, {version:UInt64} - 1
        FROM ${db}.session_summary FINAL
       WHERE by_agent < 2 AND gone = 0 AND ${CHANGED}`,
    // Both kinds of row from one read of the activity rows: each row counted once over all
    // agents (level 0, agent ''), once for its agent (level 1).
    fresh: `INSERT INTO ${db}.session_summary ${COLUMNS}
      SELECT tenant, level, if(level = 1, agent_id, '') AS agent_key, session_id, ${FINALIZED}, 0, {version:UInt64}
        FROM ${db}.session_activity
       ARRAY JOIN [0, 1] AS level
       WHERE session_id != '' AND ${CHANGED}
       GROUP BY tenant, level, agent_key, session_id`,
  };
}

export class SessionSummaryJob {
  private readonly storage: ClickHouseHandle;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly metrics: Metrics | undefined;
  private readonly periodMs: number;
  private readonly marginMs: number;
  private readonly pollMs: number;
  private readonly cluster: string;
  private readonly sessionsPerFold: number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private lastRunMs: number | undefined;

  constructor(options: SessionSummaryJobOptions) {
    this.storage = options.storage;
    this.clock = options.clock;
    this.logger = options.logger;
    this.metrics = options.metrics;
    this.periodMs = options.periodMs;
    this.marginMs = options.marginMs ?? DEFAULT_SUMMARY_MARGIN_MS;
    this.cluster = options.cluster ?? '';
    this.pollMs = options.pollMs ?? Math.max(100, Math.floor(options.periodMs / 10));
    this.sessionsPerFold = Math.max(1, options.sessionsPerFold ?? DEFAULT_SESSIONS_PER_FOLD);
  }

  /** Checks every `pollMs` whether a run is due by `clock`; one run at a time. */
  start(): void {
    if (this.timer !== undefined || this.periodMs <= 0) return;
    this.timer = setInterval(() => void this.tick(), this.pollMs);
    this.timer.unref();
  }

  /** Stops scheduling and waits for a run in progress. */
  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Runs once if a period has passed on `clock` since the last run (or none ran yet). */
  async tick(): Promise<void> {
    if (this.running !== undefined) return this.running;
    const now = this.clock.now();
    if (this.lastRunMs !== undefined && now - this.lastRunMs < this.periodMs) return;
    this.lastRunMs = now;
    this.running = this.run()
      .then(() => undefined)
      .catch((err: unknown) => {
        const code = (err as { code?: unknown }).code;
        this.metrics?.errors.inc({ stage: 'session_summary', code: typeof code === 'string' ? code : 'INTERNAL' });
        this.logger.warn({ err }, 'session summary run failed; the next one starts from the same watermark');
      })
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  /**
   * One fold: the changed sessions' rows rewritten, then the touches' partitions that end
   * before this run's watermark dropped (every touch in them was folded).
   */
  async run(): Promise<SummaryRun> {
    const db = this.storage.database;
    const client = this.storage.client;
    const rows = async <T>(query: string, params: Record<string, unknown> = {}): Promise<T[]> =>
      (await client.query({ query, query_params: params, format: 'JSONEachRow' })).json<T>();
    return withStorageErrors('fold session summary', async () => {
      const [head] = await rows<{ watermark: string; version: string }>(
        `SELECT toString(now64(3, 'UTC') - toIntervalMillisecond({margin:Int32})) AS watermark,
                toUInt64(toUnixTimestamp64Milli(now64(3, 'UTC'))) * 2 AS version`,
        { margin: this.marginMs },
      );
      if (head === undefined) throw new Error('no answer from the server clock');
      const fold = foldStatements(db);
      const changed = await rows<{ tenant: string; session_id: string }>(`SELECT tenant, session_id FROM (${fold.changed}) ORDER BY tenant, session_id`);
      const sessions = changed.length;
      for (let first = 0; first < sessions; first += this.sessionsPerFold) {
        const some = changed.slice(first, first + this.sessionsPerFold);
        const params = { version: head.version, tenants: [...new Set(some.map((c) => c.tenant))], ids: [...new Set(some.map((c) => c.session_id))] };
        for (const statement of [fold.gone, fold.fresh]) await client.command({ query: statement, query_params: params });
      }
      const buckets = await rows<{ bucket: string }>(
        `SELECT DISTINCT toString(toStartOfMinute(touched_at)) AS bucket FROM ${db}.session_touches
          WHERE toStartOfMinute(touched_at) + INTERVAL 1 MINUTE <= {watermark:DateTime64(3, 'UTC')}`,
        { watermark: head.watermark },
      );
      for (const { bucket } of buckets) {
        await client.command({ query: `ALTER TABLE ${this.touchesTable()} DROP PARTITION {bucket:String}`, query_params: { bucket } });
      }
      return { sessions, watermark: head.watermark, droppedMinutes: buckets.length };
    });
  }

  /** The touches' own table: on a cluster, each shard's local table. */
  private touchesTable(): string {
    const db = this.storage.database;
    return this.cluster === '' ? `${db}.session_touches` : `${db}.session_touches${LOCAL_SUFFIX} ON CLUSTER ${this.cluster}`;
  }
}

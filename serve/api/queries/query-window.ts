/**
 * The operator's window onto ClickHouse: one read-only SELECT, seeing one tenant, bounded.
 *
 * The operator's text reaches the engine only as a bound parameter of `formatQuerySingleLine`,
 * which parses it without running it (several statements do not parse). The formatted statement
 * is inspected (query-guard.ts) and only then run, wrapped as
 *
 *   SELECT * FROM (<formatted>) LIMIT maxRows + 1
 *   SETTINGS readonly = 1, max_execution_time, max_memory_usage, max_result_bytes,
 *            additional_table_filters = {every readable table, bare and qualified: tenant = '<t>'}
 *
 * Settings of a SETTINGS clause hold for that statement only — on chdb too, where settings
 * passed per call would be SET on the session and stay. The tenant is hex-encoded into the
 * filter, so no tenant name needs escaping. Queries run on their own connection
 * (query-connection.ts), one at a time: while one runs, another gets 429 QUERY_BUSY. On chdb a
 * query cannot be interrupted, so one whose client went away runs until it ends or reaches the
 * time limit, and keeps the slot until then; a server cancels it when its HTTP request is aborted.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { mapStorageError } from '../../../store/index.js';
import type { Logger } from '../../../lib/logger.js';
import type { Metrics } from '../../../lib/metrics.js';
import { errorCode } from '../../../lib/errors.js';
import { ApiError } from '../../../lib/errors.js';
import { QUERY_TABLES, checkQuotedIdentifiers, inspectAst, parseAst } from './query-guard.js';
import type { QueryConnection } from './query-connection.js';

export const DEFAULT_QUERY_MAX_MEMORY_BYTES = 1024 * 1024 * 1024;
export const DEFAULT_QUERY_MAX_RESULT_BYTES = 128 * 1024 * 1024;
/** Longest SQL text accepted. */
export const MAX_QUERY_CHARS = 100_000;

export interface QueryLimits {
  /** ClickHouse's max_execution_time for the query. */
  timeoutMs: number;
  /** Rows returned at most; more are cut off and the answer says `truncated`. */
  maxRows: number;
  maxMemoryBytes?: number;
  maxResultBytes?: number;
}

export interface QueryWindowOptions {
  connection: QueryConnection;
  limits: QueryLimits;
  logger: Logger;
  metrics: Metrics;
}

export interface QueryRequest {
  sql: string;
  tenant: string;
  /** Aborted when the client goes away (a server then cancels the query). */
  signal?: AbortSignal;
}

export interface QueryAnswer {
  rows: Record<string, unknown>[];
  truncated: boolean;
}

/** A ClickHouse error's type (TIMEOUT_EXCEEDED, SYNTAX_ERROR, …), matched by shape as storage-errors.ts does. */
function clickhouseType(err: unknown): string | undefined {
  const type = (err as { type?: unknown } | null)?.type;
  const code = (err as { code?: unknown } | null)?.code;
  return err instanceof Error && typeof type === 'string' && typeof code === 'string' && /^\d+$/.test(code) ? type : undefined;
}

/** The engine's message for the operator: its first line, without the echo of the statement. */
export function engineMessage(err: unknown): string {
  const first = (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
  return first
    .replace(/^Code: \d+\. DB::Exception: /, '')
    .replace(/:? ?[Ii]n scope [\s\S]*$/, '')
    .replace(/ \(version [^)]*\)/, '')
    .slice(0, 400);
}

const TOO_LARGE = new Set(['MEMORY_LIMIT_EXCEEDED', 'TOO_MANY_ROWS_OR_BYTES', 'TOO_MANY_ROWS', 'TOO_MANY_BYTES', 'TOO_LARGE_STRING_SIZE']);

const hex = (text: string): string => Buffer.from(text, 'utf8').toString('hex');

export class QueryWindow {
  private running = false;

  constructor(private readonly options: QueryWindowOptions) {}

  get busy(): boolean {
    return this.running;
  }

  async run(request: QueryRequest): Promise<QueryAnswer> {
    if (this.running) throw new ApiError('QUERY_BUSY', 'another operator query is running; retry when it ends');
    this.running = true;
    try {
      return await this.runAlone(request);
    } catch (err) {
      const mapped = this.mapError(err);
      this.options.metrics.errors.inc({ stage: 'query', code: errorCode(mapped) });
      throw mapped;
    } finally {
      this.running = false;
    }
  }

  private async runAlone({ sql, tenant, signal }: QueryRequest): Promise<QueryAnswer> {
    if (sql.length > MAX_QUERY_CHARS) throw new ApiError('QUERY_INVALID', `the query is longer than ${MAX_QUERY_CHARS} characters`);
    const { connection } = this.options;
    const client = await connection.client();
    const formatted = await this.format(client, sql);
    checkQuotedIdentifiers(formatted);
    inspectAst(parseAst(await this.explainAst(client, formatted)), { database: connection.database, tables: QUERY_TABLES, existingTables: await this.existingTables(client) });
    const { maxRows } = this.options.limits;
    const result = await client.query({
      query: `SELECT * FROM (${formatted}) LIMIT ${maxRows + 1} SETTINGS ${this.settingsFor(tenant)}`,
      format: 'JSONEachRow',
      // A server stops the query when the request goes away; chdb cannot stop one (see above).
      ...(connection.engine === 'server' ? { abort_signal: signal, clickhouse_settings: { cancel_http_readonly_queries_on_client_close: 1 } } : {}),
    });
    const rows = await result.json<Record<string, unknown>>();
    return { rows: rows.slice(0, maxRows), truncated: rows.length > maxRows };
  }

  /** The operator's text as ClickHouse re-formats it: exactly one statement, parsed, never run. */
  private async format(client: ClickHouseClient, sql: string): Promise<string> {
    try {
      const [row] = await this.single<{ formatted: string }>(client, 'SELECT formatQuerySingleLine({sql:String}) AS formatted SETTINGS readonly = 1', { sql });
      return row?.formatted ?? '';
    } catch (err) {
      if (clickhouseType(err) === 'SYNTAX_ERROR') throw new ApiError('QUERY_INVALID', engineMessage(err));
      throw err;
    }
  }

  /**
   * `EXPLAIN AST` of the statement, as raw text: run as is (the client's query() would append a
   * FORMAT clause, which the parser attaches to the statement explained), parsed, never run.
   */
  private async explainAst(client: ClickHouseClient, formatted: string): Promise<string> {
    const { stream } = await client.exec({ query: `EXPLAIN AST ${formatted}`, clickhouse_settings: { default_format: 'TabSeparatedRaw' } });
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
    return Buffer.concat(chunks).toString('utf8');
  }

  private async existingTables(client: ClickHouseClient): Promise<Set<string>> {
    const rows = await this.single<{ name: string }>(client, 'SELECT name FROM system.tables WHERE database = {database:String}', { database: this.options.connection.database });
    return new Set(rows.map((row) => row.name));
  }

  private async single<T>(client: ClickHouseClient, query: string, params?: Record<string, unknown>): Promise<T[]> {
    const result = await client.query({ query, format: 'JSONEachRow', ...(params ? { query_params: params } : {}) });
    return result.json<T>();
  }

  private settingsFor(tenant: string): string {
    const { limits, connection } = this.options;
    // Quotes escaped once: the filter is itself a string literal of the map (hex needs no more).
    const filter = `tenant = unhex(\\'${hex(tenant)}\\')`;
    const entries = QUERY_TABLES.flatMap((table) => [`'${table}': '${filter}'`, `'${connection.database}.${table}': '${filter}'`]);
    return [
      'readonly = 1',
      `max_execution_time = ${Math.max(0.001, limits.timeoutMs / 1000)}`,
      `max_memory_usage = ${limits.maxMemoryBytes ?? DEFAULT_QUERY_MAX_MEMORY_BYTES}`,
      `max_result_bytes = ${limits.maxResultBytes ?? DEFAULT_QUERY_MAX_RESULT_BYTES}`,
      `result_overflow_mode = 'throw'`,
      `additional_table_filters = {${entries.join(', ')}}`,
    ].join(', ');
  }

  private mapError(err: unknown): Error {
    if (err instanceof ApiError) return err;
    const type = clickhouseType(err);
    if (type === 'TIMEOUT_EXCEEDED') {
      return new ApiError('QUERY_TIMEOUT', `the query ran longer than ${this.options.limits.timeoutMs} ms (WARDEN_QUERY_TIMEOUT_MS) and was stopped`);
    }
    if (type !== undefined && TOO_LARGE.has(type)) return new ApiError('QUERY_TOO_LARGE', engineMessage(err));
    if (type === 'READONLY') return new ApiError('QUERY_NOT_READ_ONLY', engineMessage(err));
    const mapped = mapStorageError(err, 'operator query');
    if (mapped.retryable) {
      this.options.logger.warn({ code: mapped.code, err: String(err) }, 'operator query: storage unavailable');
      return new ApiError('STORAGE_UNAVAILABLE', 'storage is unavailable; retry later');
    }
    if (type !== undefined) return new ApiError('QUERY_FAILED', engineMessage(err));
    this.options.logger.error({ err: String(err) }, 'operator query failed');
    return err instanceof Error ? err : new Error(String(err));
  }
}

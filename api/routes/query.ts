/**
 * `POST /api/v1/query` `{sql}` (admin): runs one read-only SQL statement against Warden's
 * ClickHouse database and returns the rows as JSON. This is how an operator reads the audit
 * trail of an embedded Warden, whose engine lives inside the Warden process.
 *
 * Read-only is decided by ClickHouse's own parser: `EXPLAIN AST` must show a single SELECT
 * (possibly with UNION/WITH). A server additionally runs the statement with `readonly = 2`;
 * the embedded engine cannot, because per-call settings stick to its one session.
 */
import type { FastifyInstance } from 'fastify';
import type { ClickHouseHandle } from '../../ingest/clickhouse-sink/index.js';
import { ApiError } from '../errors.js';

export interface QueryRouteOptions {
  storage: ClickHouseHandle;
  maxRows: number;
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 500);
}

async function assertSelect(storage: ClickHouseHandle, sql: string): Promise<void> {
  let root: string;
  try {
    const result = await storage.client.query({ query: `EXPLAIN AST ${sql}`, format: 'JSONEachRow' });
    // A server answers rows of {explain}; the embedded engine answers bare strings.
    const [first] = await result.json<{ explain: string } | string>();
    root = (typeof first === 'string' ? first : (first?.explain ?? '')).trim();
  } catch (err) {
    throw new ApiError(400, 'QUERY_INVALID', firstLine(err));
  }
  if (!/^SelectWithUnionQuery\b/.test(root)) throw new ApiError(400, 'QUERY_NOT_READ_ONLY', 'only one SELECT statement is allowed');
}

export function registerQueryRoute(app: FastifyInstance, options: QueryRouteOptions): void {
  const { storage } = options;
  app.post('/api/v1/query', { config: { role: 'admin' } }, async (request) => {
    const raw = (request.body as { sql?: unknown } | null)?.sql;
    if (typeof raw !== 'string' || raw.trim() === '') throw new ApiError(400, 'INVALID_REQUEST', 'body must be {"sql": "<one SELECT statement>"}');
    const sql = raw.trim().replace(/;\s*$/, '');
    await assertSelect(storage, sql);
    try {
      const result = await storage.client.query({
        query: `SELECT * FROM (${sql}) LIMIT ${options.maxRows}`,
        format: 'JSONEachRow',
        ...(storage.engine === 'server' ? { clickhouse_settings: { readonly: '2' } } : {}),
      });
      return { rows: await result.json() };
    } catch (err) {
      throw new ApiError(400, 'QUERY_FAILED', firstLine(err));
    }
  });
}

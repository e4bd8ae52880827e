/**
 * One read against ClickHouse for the operator API: parameters are always bound (`{name:Type}`
 * placeholders), never pasted into the SQL text. A storage outage comes out as a retryable
 * error (the API answers 503 with Retry-After); anything ClickHouse rejects is a bug in Warden's
 * own SQL, so it becomes a plain error (500, logged, nothing leaked to the client).
 *
 * No per-call `clickhouse_settings`: on the embedded engine they stick to its one session.
 */
import type { ClickHouseHandle } from '../../../store/index.js';
import { mapStorageError } from '../../../store/index.js';

export type QueryParams = Record<string, string | number | string[]>;

export async function queryRows<T>(handle: ClickHouseHandle, what: string, query: string, params: QueryParams): Promise<T[]> {
  try {
    const result = await handle.client.query({ query, query_params: params, format: 'JSONEachRow' });
    return await result.json<T>();
  } catch (err) {
    const mapped = mapStorageError(err, what);
    if (mapped.retryable) throw mapped;
    throw new Error(`operator API query failed (${what}): ${mapped.message}`, { cause: err });
  }
}

/** `database.table`, the way all Warden SQL names tables. */
export function table(handle: ClickHouseHandle, name: string): string {
  return `${handle.database}.${name}`;
}

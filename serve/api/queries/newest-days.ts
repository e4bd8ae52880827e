/**
 * Newest-first pages over a table partitioned by day (the activity tables of migrations 031 and
 * 032): the `limit` sessions with the latest activity past `offset` are all among the sessions
 * active on the newest day whenever that day alone holds enough of them — a session last active
 * before it is older than every session active on it. So a page is first asked of the newest
 * day stored (one partition of the ninety a full trail keeps; found from the table itself in
 * the same query) and asked of every day only when that returns a short page.
 */
import type { ClickHouseHandle } from '../../../store/index.js';
import { table, type QueryParams } from './run-query.js';

/**
 * Runs `page(where)` with `day >= <newest day of tableName>` added to the caller's conditions,
 * and again without it when that returns fewer than `limit` rows.
 */
export async function newestDaysFirst<T>(
  handle: ClickHouseHandle,
  tableName: string,
  limit: number,
  where: string[],
  params: QueryParams,
  page: (where: string[], params: QueryParams) => Promise<T[]>,
): Promise<T[]> {
  const recent = await page([...where, `day >= (SELECT max(day) FROM ${table(handle, tableName)})`], params);
  if (recent.length >= limit) return recent;
  return page(where, params);
}

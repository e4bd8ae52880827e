/**
 * Findings from the `findings` table (model/finding.ts), newest first, for one tenant:
 * optionally one session, one detector, a minimum severity (`severity=high` returns high and
 * critical) and a start time. Re-emitted findings share an id and are read with FINAL.
 */
import type { ClickHouseHandle } from '../../../store/index.js';
import { SEVERITY_RANK, type Finding, type FindingSeverity } from '../../../model/finding.js';
import { queryRows, table, type QueryParams } from './run-query.js';
import { nsToRfc3339OrEmpty } from '../../../lib/rfc3339.js';

export interface FindingQuery {
  tenant: string;
  sessionId?: string;
  detector?: string;
  /** Minimum severity. */
  severity?: FindingSeverity;
  sinceMs?: number;
  limit: number;
}

interface FindingRow extends Omit<Finding, 'at' | 'score'> {
  score: number | string;
  at_ns: string;
}

export const SEVERITIES: FindingSeverity[] = ['low', 'medium', 'high', 'critical'];

export async function listFindings(handle: ClickHouseHandle, query: FindingQuery): Promise<Finding[]> {
  const where = ['tenant = {tenant:String}'];
  const params: QueryParams = { tenant: query.tenant, limit: query.limit };
  if (query.sessionId !== undefined) {
    where.push('session_id = {session_id:String}');
    params.session_id = query.sessionId;
  }
  if (query.detector !== undefined) {
    where.push('detector = {detector:String}');
    params.detector = query.detector;
  }
  if (query.severity !== undefined) {
    const floor = SEVERITY_RANK[query.severity];
    where.push('severity IN {severities:Array(String)}');
    params.severities = SEVERITIES.filter((s) => SEVERITY_RANK[s] >= floor);
  }
  if (query.sinceMs !== undefined) {
    where.push("at >= fromUnixTimestamp64Milli({since_ms:Int64}, 'UTC')");
    params.since_ms = Math.trunc(query.sinceMs);
  }
  const rows = await queryRows<FindingRow>(
    handle,
    'read findings',
    `SELECT id, tenant, session_id, agent_id, toString(detector) AS detector, toString(severity) AS severity, score,
            title, explanation, evidence, rule, target, why, instead, toString(toUnixTimestamp64Nano(at)) AS at_ns
       FROM ${table(handle, 'findings')} FINAL
      WHERE ${where.join(' AND ')}
      ORDER BY at DESC, id
      LIMIT {limit:UInt32}`,
    params,
  );
  return rows.map(({ at_ns, score, ...rest }) => ({ ...rest, score: Number(score), at: nsToRfc3339OrEmpty(at_ns) }));
}

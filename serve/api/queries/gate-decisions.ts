/**
 * Gate decisions from the `gate_decisions` table, newest first, for one tenant: optionally one
 * session, one answer (`deny`: what Warden stopped) and a start time. A decision made again for a
 * retried hook shares its id and is read once (FINAL).
 */
import type { ClickHouseHandle } from '../../../store/index.js';
import type { GateDecision } from '../../../respond/gate/gate-service.js';
import { queryRows, table, type QueryParams } from './run-query.js';
import { nsToRfc3339OrEmpty } from '../../../lib/rfc3339.js';

export interface DecisionQuery {
  tenant: string;
  sessionId?: string;
  /** One decision by its id. */
  decisionId?: string;
  decision?: 'allow' | 'ask' | 'deny';
  sinceMs?: number;
  limit: number;
}

/** A stored decision as the API serves it: the gate's decision without what is only kept in memory. */
export type DecisionView = Omit<GateDecision, 'tenant' | 'remedy' | 'finding_ids'>;

interface DecisionRow extends Omit<DecisionView, 'latency_ms' | 'at' | 'decision' | 'would_be' | 'mode'> {
  decision: string;
  would_be: string;
  mode: string;
  latency_us: number | string;
  at_ns: string;
}

export async function listDecisions(handle: ClickHouseHandle, query: DecisionQuery): Promise<DecisionView[]> {
  const where = ['tenant = {tenant:String}'];
  const params: QueryParams = { tenant: query.tenant, limit: query.limit };
  if (query.sessionId !== undefined) {
    where.push('session_id = {session_id:String}');
    params.session_id = query.sessionId;
  }
  if (query.decisionId !== undefined) {
    where.push('decision_id = {decision_id:String}');
    params.decision_id = query.decisionId;
  }
  if (query.decision !== undefined) {
    where.push('decision = {decision:String}');
    params.decision = query.decision;
  }
  if (query.sinceMs !== undefined) {
    where.push("at >= fromUnixTimestamp64Milli({since_ms:Int64}, 'UTC')");
    params.since_ms = Math.trunc(query.sinceMs);
  }
  const rows = await queryRows<DecisionRow>(
    handle,
    'read gate decisions',
    `SELECT decision_id, event_id, session_id, agent_id, toString(tool) AS tool, tool_call_id, command, targets,
            toString(action_class) AS action_class, toString(decision) AS decision, toString(would_be) AS would_be,
            toString(mode) AS mode, reason, toString(detector) AS detector, toString(severity) AS severity, finding_id,
            rule, target, why, instead, latency_us, toString(toUnixTimestamp64Nano(at)) AS at_ns
       FROM ${table(handle, 'gate_decisions')} FINAL
      WHERE ${where.join(' AND ')}
      ORDER BY at DESC, decision_id
      LIMIT {limit:UInt32}`,
    params,
  );
  return rows.map(({ at_ns, latency_us, decision, would_be, mode, ...rest }) => ({
    ...rest,
    decision: decision as DecisionView['decision'],
    would_be: would_be as DecisionView['would_be'],
    mode: mode as DecisionView['mode'],
    latency_ms: Number(latency_us) / 1000,
    at: nsToRfc3339OrEmpty(at_ns),
  }));
}

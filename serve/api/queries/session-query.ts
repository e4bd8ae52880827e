/**
 * The filter every session read takes (list or one session), and how it becomes a WHERE clause
 * with bound parameters. `ids` narrows to given sessions; `sinceMs` keeps sessions active at or
 * after that time; `offset` pages. State is not filtered in SQL: the RevocationService, not a
 * table, knows it, so the reader filters pages by its answer.
 */
import type { QueryParams } from './run-query.js';

export interface SessionQuery {
  tenant: string;
  ids?: string[];
  agent?: string;
  sinceMs?: number;
  limit: number;
  offset?: number;
}

export interface Clause {
  where: string[];
  params: QueryParams;
}

/** Conditions shared by every source: tenant, ids, agent (column names given per table). */
export function baseClause(query: SessionQuery, agentColumn: string): Clause {
  const where = ['tenant = {tenant:String}', "session_id != ''"];
  const params: QueryParams = { tenant: query.tenant, limit: query.limit, offset: query.offset ?? 0 };
  if (query.ids !== undefined) {
    where.push('session_id IN {ids:Array(String)}');
    params.ids = query.ids;
  }
  if (query.agent !== undefined) {
    where.push(`${agentColumn} = {agent:String}`);
    params.agent = query.agent;
  }
  if (query.sinceMs !== undefined) params.since_ms = Math.trunc(query.sinceMs);
  return { where, params };
}

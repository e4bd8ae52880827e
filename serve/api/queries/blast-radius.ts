/**
 * A session's blast radius: every target its events named, grouped by kind — the URI scheme
 * (`k8s`, `aws`, `git`, `db`, …) or `path` for file paths — with how often each was intended,
 * executed and destructively acted on. Destructive targets (any destructive event) come first
 * in each group; groups with destructive targets come first.
 *
 * The session's rows are chosen in PREWHERE (key columns only, so FINAL keeps the same rows):
 * under FINAL ClickHouse would otherwise read every column it needs for every granule the key
 * range selects before filtering (see timeline.ts).
 */
import type { ClickHouseHandle } from '../../../store/index.js';
import { queryRows, table } from './run-query.js';
import { nsToRfc3339OrEmpty } from '../../../lib/rfc3339.js';

export interface TargetTouch {
  target: string;
  destructive: boolean;
  counts: { events: number; intents: number; executions: number; destructive: number };
  action_classes: string[];
  tools: string[];
  first_at: string;
  last_at: string;
}

export interface TargetGroup {
  kind: string;
  count: number;
  destructive: number;
  targets: TargetTouch[];
}

export interface BlastRadius {
  session_id: string;
  targets: number;
  destructive_targets: number;
  kinds: TargetGroup[];
}

/** Aliases differ from column names: an alias named like a column would shadow it in WHERE. */
interface TargetRow {
  target: string;
  event_count: string;
  intent_count: string;
  execution_count: string;
  destructive_count: string;
  action_classes: string[];
  tools: string[];
  first_ns: string;
  last_ns: string;
}

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;

export function targetKind(target: string): string {
  return SCHEME.exec(target)?.[1]?.toLowerCase() ?? 'path';
}

export function groupTargets(sessionId: string, touches: TargetTouch[]): BlastRadius {
  const groups = new Map<string, TargetGroup>();
  for (const touch of touches) {
    const kind = targetKind(touch.target);
    const group = groups.get(kind) ?? { kind, count: 0, destructive: 0, targets: [] };
    group.count += 1;
    if (touch.destructive) group.destructive += 1;
    group.targets.push(touch);
    groups.set(kind, group);
  }
  const kinds = [...groups.values()].sort((a, b) => b.destructive - a.destructive || a.kind.localeCompare(b.kind));
  for (const group of kinds) group.targets.sort((a, b) => Number(b.destructive) - Number(a.destructive) || a.target.localeCompare(b.target));
  return {
    session_id: sessionId,
    targets: touches.length,
    destructive_targets: touches.filter((t) => t.destructive).length,
    kinds,
  };
}

export async function blastRadius(handle: ClickHouseHandle, tenant: string, sessionId: string): Promise<BlastRadius> {
  const rows = await queryRows<TargetRow>(
    handle,
    'read session targets',
    `SELECT target,
            count() AS event_count,
            countIf(phase = 'intent') AS intent_count,
            countIf(phase = 'execution') AS execution_count,
            countIf(destructive) AS destructive_count,
            arraySort(groupUniqArray(toString(action_class))) AS action_classes,
            arraySort(groupUniqArray(toString(tool))) AS tools,
            toString(toUnixTimestamp64Nano(min(time))) AS first_ns,
            toString(toUnixTimestamp64Nano(max(time))) AS last_ns
       FROM ${table(handle, 'audit_events')} FINAL
      ARRAY JOIN targets AS target
      PREWHERE tenant = {tenant:String} AND session_id = {session_id:String}
      WHERE target != ''
      GROUP BY target`,
    { tenant, session_id: sessionId },
  );
  return groupTargets(
    sessionId,
    rows.map((row) => ({
      target: row.target,
      destructive: Number(row.destructive_count) > 0,
      counts: {
        events: Number(row.event_count),
        intents: Number(row.intent_count),
        executions: Number(row.execution_count),
        destructive: Number(row.destructive_count),
      },
      action_classes: row.action_classes.filter((c) => c !== '' && c !== 'none'),
      tools: row.tools.filter((t) => t !== ''),
      first_at: nsToRfc3339OrEmpty(row.first_ns),
      last_at: nsToRfc3339OrEmpty(row.last_ns),
    })),
  );
}

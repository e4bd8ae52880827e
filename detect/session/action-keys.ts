/**
 * One action, counted once. A harness may report an action twice — an intent receipt before it
 * runs and the execution after — paired by the tool call id. Detectors that count actions key
 * them by that id (the event id when there is none) and remember the keys they counted in a
 * bounded set.
 */
import type { AuditEvent } from '../../model/audit-event.js';
import type { BoundedSet } from '../../lib/bounded.js';

export function actionKey(event: AuditEvent): string {
  return event.tool_call_id !== '' ? `call:${event.tool_call_id}` : `event:${event.event_id}`;
}

/** True the first time an action is seen (and remembers it); false for its second report. */
export function firstSight(seen: BoundedSet<string>, event: AuditEvent): boolean {
  const key = actionKey(event);
  if (seen.has(key)) return false;
  seen.add(key);
  return true;
}

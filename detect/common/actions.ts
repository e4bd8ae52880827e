/**
 * What counts as an agent's action, and how to name one in a sentence. Detectors skip session
 * declarations and intents the user or policy rejected (a rejected intent never runs), and
 * describe an action as its command (or tool and first target) plus what the classifier said:
 * "`aws ec2 terminate-instances …` (cloud.delete, high, irreversible)".
 */
import type { AuditEvent, Severity } from '../../model/audit-event.js';
import { SEVERITY_RANK } from '../../model/finding.js';
import { clip } from './tokens.js';

const REJECTED = new Set(['reject', 'rejected', 'deny', 'denied', 'block', 'blocked', 'abort']);

export function isRejected(decision: string): boolean {
  return REJECTED.has(decision.trim().toLowerCase());
}

/** An intent or execution that was not rejected. */
export function isLiveAction(event: AuditEvent): boolean {
  if (event.phase === 'execution') return true;
  return event.phase === 'intent' && !isRejected(event.decision);
}

export function maxSeverity(a: Severity, b: Severity): Severity {
  return SEVERITY_RANK[a] >= SEVERITY_RANK[b] ? a : b;
}

/** The command in backticks, or the tool and its first target. */
export function actionText(event: AuditEvent): string {
  if (event.command !== '') return `\`${clip(event.command)}\``;
  const first = event.targets[0];
  return first === undefined ? `\`${event.tool}\`` : `\`${event.tool}\` on ${clip(first)}`;
}

/** `(cloud.delete, high, irreversible)`: what the classifier said about the action. */
export function classText(event: AuditEvent): string {
  const parts = [event.action_class || 'none'];
  if (event.severity !== 'none') parts.push(event.severity);
  if (event.destructive) parts.push(event.reversible ? 'destructive' : 'irreversible');
  return `(${parts.join(', ')})`;
}

export function fmt(n: number, digits = 2): string {
  return n.toFixed(digits);
}

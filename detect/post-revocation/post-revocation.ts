/**
 * The activity-after-revocation detector. Once a session is revoked, nothing it does should
 * reach Warden; every event that does is reported (evidence: that event), because it means a
 * credential, hook or harness did not honour the revocation (events timed at or before the
 * revocation are not counted: they were sent before it). The identical command (or tool
 * call) repeated within `repeat_suppress_ms` reports once, so an agent retrying in a tight loop
 * does not flood the findings.
 */
import type { AuditEvent } from '../../model/audit-event.js';
import type { Detector, DetectorContext } from '../detector.js';
import type { FindingDraft } from '../../model/finding.js';
import { actionText } from '../common/actions.js';
import { rfc3339ToNs } from '../../lib/rfc3339.js';
import type { RevocationInfo } from '../../model/session.js';
import type { PostRevocationConfig } from './config.js';

/**
 * The event happened after the revocation: its time is later than the revocation's. The event
 * that triggered a detector's revocation carries the revocation's own time, so it is not
 * reported; neither is one the agent sent before an operator revoked, delivered late.
 */
function after(event: AuditEvent, revoked: RevocationInfo | null): boolean {
  const at = revoked ? rfc3339ToNs(revoked.at) : null;
  if (at === null || !/^\d+$/.test(event.time_ns)) return true;
  return BigInt(event.time_ns) > at;
}

interface LastReported {
  what: string;
  atMs: number;
}

export class PostRevocationDetector implements Detector<PostRevocationConfig> {
  readonly name = 'post_revocation_activity' as const;

  observe(event: AuditEvent, ctx: DetectorContext<PostRevocationConfig>): FindingDraft[] {
    const { session, config } = ctx;
    if (session.state !== 'revoked' || !config.phases.includes(event.phase) || !after(event, session.revoked)) return [];
    const now = ctx.clock.now();
    const what = `${event.tool}\u0000${event.command || event.arguments}`;
    const slot = ctx.slot<{ last: LastReported | null }>(() => ({ last: null }));
    const repeat = slot.last !== null && slot.last.what === what && now - slot.last.atMs < config.repeat_suppress_ms;
    slot.last = { what, atMs: now };
    if (repeat) return [];
    const label = actionText(event);
    const revoked = session.revoked;
    return [
      {
        severity: config.severity,
        score: 1,
        title: `Activity after revocation: ${event.tool || event.name} ${label}`,
        explanation:
          `Session was revoked${revoked ? ` at ${revoked.at} by ${revoked.by} (${revoked.reason})` : ''}, ` +
          `yet it still sent a${event.phase === 'intent' ? 'n intent' : event.phase === 'session' ? ' session event' : 'n execution'} ` +
          `(${label}${event.destructive ? ', destructive' : ''}). Its credentials or hooks did not stop it.`,
        evidence: [event.event_id],
      },
    ];
  }
}

/**
 * From a detector's draft to a Finding: identity from the session, time from the triggering
 * event (RFC 3339 with nanoseconds), and a deterministic id — the first 32 hex digits of
 * SHA-256 over tenant, session, detector and evidence ids — so the same evidence always yields
 * the same finding, across replays, rebuilds and instances. A follow-up to a finding (the
 * judge's confirmation) hashes what produced it and the original's id instead, so it has its
 * own id, stable whatever the follow-up says. The explanation (rule, target, why, instead) comes
 * from the draft, the triggering event and the data file (detect/explain/).
 */
import { createHash } from 'node:crypto';
import type { AuditEvent } from '../../model/audit-event.js';
import type { DetectorName, Finding, FindingDraft } from '../../model/finding.js';
import { nsToRfc3339 } from '../../lib/rfc3339.js';
import type { SessionState } from '../session/session-state.js';
import { explainFinding } from '../explain/explain.js';

export function findingId(tenant: string, sessionId: string, detector: DetectorName, evidence: readonly string[]): string {
  const h = createHash('sha256');
  h.update(tenant).update('\u0000').update(sessionId).update('\u0000').update(detector);
  for (const id of evidence) h.update('\u0000').update(id);
  return h.digest('hex').slice(0, 32);
}

/** The id of the follow-up `kind` (e.g. `judge`) to `original`: stable, and never the original's. */
export function followUpId(original: Finding, kind: string): string {
  return findingId(original.tenant, original.session_id, original.detector, [`${kind}:${original.id}`]);
}

export function toFinding(draft: FindingDraft, detector: DetectorName, event: AuditEvent, session: SessionState): Finding {
  const evidence = draft.evidence.length > 0 ? draft.evidence : [event.event_id];
  return {
    id: findingId(session.tenant, session.id, detector, evidence),
    tenant: session.tenant,
    session_id: session.id,
    agent_id: session.agent_id,
    detector,
    severity: draft.severity,
    score: Math.min(1, Math.max(0, draft.score)),
    title: draft.title,
    explanation: draft.explanation,
    evidence,
    ...explainFinding(draft, detector, event),
    at: nsToRfc3339(event.time_ns),
  };
}

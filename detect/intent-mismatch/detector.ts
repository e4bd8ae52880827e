/**
 * intent_mismatch: pairs each execution with the intent (receipt) announced before it — by
 * tool call id, else by order and command similarity — and reports what differs
 * (compare.ts) as one finding whose severity is the worst difference's. With
 * `require_receipts`, an execution nobody announced is a finding too (reported once per
 * severity, with a running count, so a harness that never sends intents cannot flood).
 * Intents never produce findings themselves; one that is denied or never executed stays
 * silent. State per session: the pending intents and the call ids already executed, bounded.
 */
import type { AuditEvent } from '../../model/audit-event.js';
import type { Detector, DetectorContext } from '../detector.js';
import { SEVERITY_RANK, type FindingDraft, type FindingSeverity } from '../../model/finding.js';
import { actionText, classText } from '../common/actions.js';
import { BoundedSet } from '../../lib/bounded.js';
import { classMatchesAny } from '../common/class-patterns.js';
import { differences, type Difference } from './compare.js';
import type { IntentMismatchConfig } from './config.js';
import { PendingIntents, toPending, type PendingIntent } from './pending.js';

interface IntentState {
  pending: PendingIntents;
  executed: BoundedSet<string>;
  unreceipted: number;
  /** Highest severity reported for missing receipts (rank). */
  receiptRank: number;
}

const TITLES: Record<Difference['kind'], string> = {
  denied: 'ran although its intent was denied',
  tool: 'ran a different tool than its intent announced',
  command: 'differs from the command its intent announced',
  preview: 'dropped the preview flag its intent announced',
  targets: 'touches targets its intent did not name',
  escalation: 'has more impact than its intent announced',
};

function mismatchDraft(intent: PendingIntent, exec: AuditEvent, diffs: Difference[]): FindingDraft {
  const top = diffs.reduce((a, b) => (SEVERITY_RANK[b.severity] > SEVERITY_RANK[a.severity] ? b : a));
  const by = intent.tool_call_id !== '' && intent.tool_call_id === exec.tool_call_id ? `call id ${exec.tool_call_id}` : 'order and command similarity';
  return {
    severity: top.severity,
    score: Number(Math.min(1, 0.5 + 0.12 * SEVERITY_RANK[top.severity] + 0.04 * (diffs.length - 1)).toFixed(3)),
    title: `Intent mismatch: ${actionText(exec)} ${TITLES[top.kind]}`,
    explanation: `${actionText(exec)} ${classText(exec)} was paired with its intent by ${by}. ${diffs.map((d) => d.sentence).join(' ')}`,
    evidence: [intent.event_id, exec.event_id],
  };
}

function receiptDraft(exec: AuditEvent, state: IntentState, config: IntentMismatchConfig): FindingDraft | undefined {
  if (!config.require_receipts || classMatchesAny(config.receipt_exempt_classes, exec.action_class || 'none')) return undefined;
  state.unreceipted++;
  const severity: FindingSeverity = exec.destructive ? 'high' : 'medium';
  if (SEVERITY_RANK[severity] <= state.receiptRank) return undefined;
  state.receiptRank = SEVERITY_RANK[severity];
  return {
    severity,
    score: exec.destructive ? 0.85 : 0.6,
    title: `Intent mismatch: ${actionText(exec)} executed without an intent`,
    explanation: `Policy requires a receipt (an intent) before every action that is not a read; ${actionText(exec)} ${classText(exec)} ` +
      `executed with none within the last ${Math.round(config.window_ms / 1000)} s. ` +
      `${state.unreceipted} execution${state.unreceipted === 1 ? '' : 's'} without a receipt in this session so far.`,
    evidence: [exec.event_id],
  };
}

export function createIntentMismatchDetector(): Detector<IntentMismatchConfig> {
  return {
    name: 'intent_mismatch',
    observe(event: AuditEvent, ctx: DetectorContext<IntentMismatchConfig>): FindingDraft[] {
      if (event.phase === 'session') return [];
      const config = ctx.config;
      const now = ctx.clock.now();
      const state = ctx.slot<IntentState>(() => ({
        pending: new PendingIntents(config), executed: new BoundedSet(config.max_matched), unreceipted: 0, receiptRank: 0,
      }));
      state.pending.expire(now);
      if (event.phase === 'intent') {
        if (event.tool_call_id === '' || !state.executed.has(event.tool_call_id)) state.pending.add(toPending(event, now));
        return [];
      }
      if (event.tool_call_id !== '' && state.executed.has(event.tool_call_id)) return [];
      const intent = state.pending.take(event);
      if (event.tool_call_id !== '') state.executed.add(event.tool_call_id);
      if (intent === undefined) {
        const draft = receiptDraft(event, state, config);
        return draft === undefined ? [] : [draft];
      }
      const diffs = differences(intent, event, config);
      return diffs.length === 0 ? [] : [mismatchDraft(intent, event, diffs)];
    },
  };
}

/**
 * What differs between an intent and its execution, each difference a sentence: the call ran
 * although its intent was denied; another tool ran; the command differs (token similarity
 * below `command_similarity_min`, benign flags ignored); a preview flag (`--dry-run`) was
 * dropped; the execution touches targets the intent did not name; the impact escalated
 * (higher severity, or destructive where the intent was not). An intent that announced nothing
 * (no command, arguments or targets: a bare `tool_decision`) is only a receipt: the denial and
 * the tool are checked, nothing else.
 */
import type { AuditEvent } from '../../model/audit-event.js';
import { SEVERITY_RANK, type FindingSeverity } from '../../model/finding.js';
import { classText, fmt } from '../common/actions.js';
import { matchesAny } from '../common/globs.js';
import { parseTarget, segmentsWithin } from '../common/targets.js';
import { clip, commandTokens, jaccard, normalizeCommand } from '../common/tokens.js';
import type { IntentMismatchConfig } from './config.js';
import type { PendingIntent } from './pending.js';

export interface Difference {
  kind: 'denied' | 'tool' | 'command' | 'preview' | 'targets' | 'escalation';
  severity: FindingSeverity;
  sentence: string;
}

function covered(target: string, intended: readonly string[]): boolean {
  const t = parseTarget(target);
  return intended.some((i) => {
    if (i === target) return true;
    const p = parseTarget(i);
    return (p.kind === t.kind && segmentsWithin(p.segments, t.segments)) || (/[*?[]/.test(i) && matchesAny([i], [target]));
  });
}

function commandDifference(intent: PendingIntent, exec: AuditEvent, config: IntentMismatchConfig): Difference[] {
  if (intent.command === '' || exec.command === '' || normalizeCommand(intent.command) === normalizeCommand(exec.command)) return [];
  const benign = new Set(config.benign_flags);
  const a = intent.tokens.filter((t) => !benign.has(t));
  const b = commandTokens(exec.command).filter((t) => !benign.has(t));
  const out: Difference[] = [];
  const safety = new Set(config.safety_flags);
  const dropped = a.filter((t) => safety.has(t) && !b.includes(t));
  if (dropped.length > 0) {
    out.push({ kind: 'preview', severity: 'high', sentence: `The intent was a preview (${dropped.join(', ')}); the execution dropped it and acted for real.` });
  }
  const sim = jaccard(a, b);
  if (sim < config.command_similarity_min) {
    out.push({
      kind: 'command', severity: exec.destructive ? 'high' : 'medium',
      sentence: `The executed command \`${clip(exec.command)}\` differs from the intended \`${clip(intent.command)}\` ` +
        `(token similarity ${fmt(sim)}, below ${fmt(config.command_similarity_min)}).`,
    });
  }
  return out;
}

export function differences(intent: PendingIntent, exec: AuditEvent, config: IntentMismatchConfig): Difference[] {
  const out: Difference[] = [];
  const hard: FindingSeverity = exec.destructive ? 'high' : 'medium';
  if (intent.denied) {
    out.push({
      kind: 'denied', severity: exec.destructive ? 'critical' : 'high',
      sentence: `The intent was ${intent.decision ? `answered "${intent.decision}"` : 'denied'}, yet the call executed.`,
    });
  }
  if (intent.tool !== '' && exec.tool !== '' && intent.tool.toLowerCase() !== exec.tool.toLowerCase()) {
    out.push({ kind: 'tool', severity: hard, sentence: `The intent announced the tool ${intent.tool}; ${exec.tool} ran.` });
  }
  if (!intent.announced) return out;
  out.push(...commandDifference(intent, exec, config));
  if (intent.command !== '' || intent.targets.length > 0) {
    const extra = exec.targets.filter((t) => !covered(t, intent.targets));
    if (extra.length > 0) {
      const shown = extra.slice(0, 3).join(', ') + (extra.length > 3 ? ` and ${extra.length - 3} more` : '');
      const named = intent.targets.length === 0 ? 'no targets' : intent.targets.slice(0, 3).join(', ');
      out.push({ kind: 'targets', severity: hard, sentence: `The execution touches ${shown}, which the intent (${named}) did not cover.` });
    }
  }
  const escalated = SEVERITY_RANK[exec.severity] > SEVERITY_RANK[intent.severity] || (!intent.destructive && exec.destructive);
  if (escalated) {
    const was = `(${[intent.action_class || 'none', intent.severity, intent.destructive ? 'destructive' : 'non-destructive'].join(', ')})`;
    out.push({ kind: 'escalation', severity: 'high', sentence: `Impact escalated from the intent ${was} to the execution ${classText(exec)}.` });
  }
  return out;
}

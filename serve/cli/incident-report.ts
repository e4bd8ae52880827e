/**
 * The post-incident report `warden incident` prints: a Markdown document built from what the API
 * answers — the session (agent, user, environment, goal, scope, state), its revocation, the
 * findings with their explanations, the blast radius by kind and the timeline of destructive
 * actions. Pure: data in, text out.
 *
 * The finished report (Markdown or JSON) goes through the event redactor: what the API answers is redacted already,
 * but a report may be made from rows stored before a redaction rule existed, and is mailed and
 * pasted into tickets — it must not be where an old secret resurfaces.
 */
import type { Finding } from '../../model/finding.js';
import type { SessionView } from '../api/queries/session-view.js';
import type { BlastRadius } from '../api/queries/blast-radius.js';
import type { TimelineEvent, TimelineItem } from '../api/queries/timeline.js';
import { shortTime } from './format.js';
import { createRedactor } from '../../normalize/redact/index.js';

const redactor = createRedactor();

export interface IncidentData {
  session: SessionView;
  findings: Finding[];
  blastRadius: BlastRadius;
  timeline: TimelineItem[];
  /** RFC 3339: when the report was made. */
  generatedAt: string;
}

/** Text safe inside a Markdown table cell or inline code. */
const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\s+/g, ' ').trim();
const code = (text: string): string => (text === '' ? '' : `\`${text.replace(/`/g, "'")}\``);

/** Destructive actions, one per tool call: the execution when there is one, else the intent. */
export function destructiveActions(items: TimelineItem[]): Array<{ at: string; phase: string; event: TimelineEvent }> {
  const out: Array<{ at: string; phase: string; event: TimelineEvent }> = [];
  for (const item of items) {
    if (item.kind !== 'call') continue;
    const events = [item.execution, item.intent, ...item.related].filter((e): e is TimelineEvent => e !== null);
    const destructive = events.find((e) => e.destructive);
    if (destructive === undefined) continue;
    const shown = item.execution ?? destructive;
    out.push({ at: shown.at, phase: item.execution ? (item.intent ? 'intent → executed' : 'executed (no intent)') : 'intended only', event: shown });
  }
  return out;
}

/** The report's data as indented JSON (`--format json`), redacted like the Markdown. */
export function renderIncidentJson(data: IncidentData): string {
  return JSON.stringify(redactor.redactValue(data).value, null, 2);
}

export function renderIncidentMarkdown(data: IncidentData): string {
  const { session: s, findings, blastRadius: radius } = data;
  const lines: string[] = [];
  lines.push(`# Incident report: session ${code(s.id)}`, '', `Generated ${data.generatedAt} by Warden.`, '');
  lines.push('## Summary', '', '| | |', '|---|---|');
  lines.push(`| Tenant | ${cell(s.tenant)} |`, `| Agent | ${cell(s.agent || '-')} |`, `| User | ${cell(s.user || '-')} |`);
  lines.push(`| Environment | ${cell(s.environment || '-')} |`, `| State | **${s.state}** |`);
  lines.push(`| Active | ${shortTime(s.first_seen)} → ${shortTime(s.last_seen)} |`);
  lines.push(`| Events | ${s.counts.events} (${s.counts.intents} intents, ${s.counts.executions} executions, ${s.counts.destructive} destructive) |`);
  lines.push(`| Findings | ${findings.length} |`, `| Targets touched | ${radius.targets} (${radius.destructive_targets} destructively) |`, '');

  lines.push('## Goal', '', s.goal ? `> ${cell(s.goal)}` : '_No goal was declared._', '');
  if (s.scope.allow.length > 0 || s.scope.deny.length > 0) {
    lines.push('Declared scope:', '');
    for (const p of s.scope.allow) lines.push(`- allow ${code(p)}`);
    for (const p of s.scope.deny) lines.push(`- never ${code(p)}`);
    lines.push('');
  }

  lines.push('## Revocation', '');
  if (s.revoked) {
    lines.push(`Revoked at ${s.revoked.at} by ${code(s.revoked.by)}${s.revoked.finding_id ? ` on finding ${code(s.revoked.finding_id)}` : ''}.`, '', `> ${cell(s.revoked.reason)}`, '');
  } else {
    lines.push('The session is not revoked.', '');
  }

  lines.push('## Findings', '');
  if (findings.length === 0) lines.push('_No findings._', '');
  for (const f of [...findings].sort((a, b) => a.at.localeCompare(b.at))) {
    lines.push(`### ${f.severity.toUpperCase()} · ${f.detector} · ${cell(f.title)}`, '');
    lines.push(`${shortTime(f.at)} · score ${f.score.toFixed(2)} · finding ${code(f.id)} · ${f.evidence.length} evidence event(s)`, '');
    lines.push(f.explanation.trim(), '');
    // Findings stored before the explanation existed have none (the API reads '' for each).
    const explained = [
      f.rule ? `- Rule: ${code(cell(f.rule))}` : '',
      f.target ? `- Target: ${code(cell(f.target))}${f.why ? ` — ${cell(f.why)}` : ''}` : f.why ? `- Why: ${cell(f.why)}` : '',
      f.instead ? `- Instead: ${cell(f.instead)}` : '',
    ].filter((l) => l !== '');
    if (explained.length > 0) lines.push(...explained, '');
  }

  lines.push('## Blast radius', '');
  if (radius.kinds.length === 0) lines.push('_No targets recorded._', '');
  for (const group of radius.kinds) {
    lines.push(`### ${group.kind} (${group.count} target(s), ${group.destructive} destructive)`, '');
    lines.push('| Target | Destructive | Intents | Executions | Actions |', '|---|---|---|---|---|');
    for (const t of group.targets) {
      lines.push(`| ${code(cell(t.target))} | ${t.destructive ? '**yes**' : 'no'} | ${t.counts.intents} | ${t.counts.executions} | ${cell(t.action_classes.join(', ') || '-')} |`);
    }
    lines.push('');
  }

  const actions = destructiveActions(data.timeline);
  lines.push('## Destructive actions', '');
  if (actions.length === 0) lines.push('_None recorded._', '');
  else {
    lines.push('| Time | What happened | Tool | Command | Targets | Outcome |', '|---|---|---|---|---|---|');
    for (const a of actions) {
      const e = a.event;
      const outcome = e.phase === 'execution' ? (e.status === 'error' ? `error${e.exit_code !== null ? ` (exit ${e.exit_code})` : ''}` : e.status) : '-';
      lines.push(`| ${shortTime(a.at)} | ${a.phase} | ${cell(e.tool || '-')} | ${code(cell(e.command))} | ${cell(e.targets.join(', '))} | ${outcome} |`);
    }
    lines.push('');
  }
  return redactor.redact(lines.join('\n')).text;
}

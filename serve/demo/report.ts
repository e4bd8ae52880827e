/**
 * Plain-text reports of replay outcomes: one table row per session (name, kind, expected,
 * outcome, detectors that fired), the summary line with detection recall and false-positive
 * rate, and for each session that went the wrong way the findings (or their absence) that
 * explain it. Shared by the incident test and `warden demo`.
 */
import { type Score, type SessionOutcome, stepText } from './outcomes.js';

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

/** Where the revocation came relative to the harmful step: at it, N steps before, N after. */
export function timingText(o: SessionOutcome): string {
  if (o.revokedAtStep === null || o.harmStep === null) return '';
  const d = o.revokedAtStep - o.harmStep;
  if (d === 0) return ' (the harmful step)';
  return d < 0 ? ` (${-d} before the harmful step)` : ` (${d} after the harmful step)`;
}

/** `webhooks`: whether webhook receipt was observed (the incident test), so its absence means something. */
export function outcomeText(o: SessionOutcome, webhooks = true): string {
  if (!o.revoked) return o.findings.length > 0 ? `not revoked (${o.findings.length} finding${o.findings.length === 1 ? '' : 's'})` : 'not revoked';
  const at = o.revokedAtStep === null ? '' : ` at step ${o.revokedAtStep + 1}/${o.session.steps.length}${timingText(o)}`;
  const hook = o.deniedSteps.length > 0 ? `, hook denied ${o.deniedSteps.length}` : '';
  const webhook = o.webhook || !webhooks ? '' : ', no webhook';
  return `revoked${at}${hook}${webhook}`;
}

export function formatTable(outcomes: SessionOutcome[]): string {
  const rows = outcomes.map((o) => [
    o.correct ? 'ok' : 'MISS',
    o.session.name + (o.session.seed ? ` (${o.session.seed})` : ''),
    o.session.kind,
    o.session.expect,
    outcomeText(o),
    o.detectors.join(', ') || '-',
  ]);
  const header = ['', 'session', 'kind', 'expected', 'outcome', 'detectors fired'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => pad(c, widths[i]!)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function summaryLine(s: Score): string {
  const fmt = (x: number): string => x.toFixed(2);
  return (
    `detection recall ${s.caught}/${s.incidents} = ${fmt(s.recall)} · ` +
    `false-positive rate ${s.falsePositives}/${s.benign} = ${fmt(s.falsePositiveRate)} · ` +
    `${s.incidents + s.benign} sessions`
  );
}

/** How fast revocations reached the webhook receiver, from Warden acknowledging the triggering event. */
export function latencyLine(outcomes: SessionOutcome[]): string {
  const ms = outcomes.map((o) => o.webhookLatencyMs).filter((x): x is number => x !== null).sort((a, b) => a - b);
  if (ms.length === 0) return 'no revocation webhook timed';
  const median = ms[Math.floor((ms.length - 1) / 2)]!;
  return `triggering event acknowledged → signed webhook received: median ${median} ms, max ${ms.at(-1)!} ms over ${ms.length} revocations`;
}

/** For each session with the wrong outcome: why, from its findings and revocation. */
export function explainMisses(outcomes: SessionOutcome[]): string {
  const lines: string[] = [];
  for (const o of outcomes.filter((x) => !x.correct)) {
    if (o.session.kind === 'incident') {
      lines.push(`missed incident ${o.session.name}: ${o.findings.length === 0 ? 'no finding at all' : 'findings below the revocation threshold'}`);
    } else {
      const at = o.revokedAtStep === null ? '' : ` after step ${o.revokedAtStep + 1} (${stepText(o.session.steps[o.revokedAtStep]!)})`;
      lines.push(`false positive ${o.session.name}: revoked by ${o.revokedBy || '?'}${at}: ${o.reason}`);
    }
    for (const f of o.findings) lines.push(`    ${f.severity.padEnd(8)} ${f.detector}: ${f.title}`);
  }
  return lines.join('\n');
}

/**
 * Scoring helpers shared by the external-corpus test and the detection-quality benchmark: how a
 * dcg case becomes classifier input (a hook_json case is read like a hook would read it; stdin
 * that is not a JSON object is no action at all), the tally of a yes/no decision against a
 * label, and percentiles.
 */
import type { ActionInput } from '../classification.js';
import type { DcgCase } from './dcg-corpus.js';

/** The working directory every case is judged in (dcg's cases assume a project folder). */
export const CORPUS_CWD = '/home/user/project';

/** The action a case stands for, or why it stands for none (malformed hook stdin). */
export function caseInput(c: DcgCase, cwd: string = CORPUS_CWD): ActionInput | { none: string } {
  if (c.inputKind === 'command') return { tool: 'Bash', command: c.command, arguments: { command: c.command }, cwd, environment: '' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(c.command);
  } catch {
    return { none: 'hook stdin is not JSON: the hook adapter answers, no action reaches the classifier' };
  }
  const o = parsed as { tool_name?: unknown; tool_input?: unknown };
  if (typeof o !== 'object' || o === null || typeof o.tool_name !== 'string') return { none: 'hook JSON without a tool name' };
  const args = typeof o.tool_input === 'object' && o.tool_input !== null ? (o.tool_input as Record<string, unknown>) : {};
  return { tool: o.tool_name, command: typeof args.command === 'string' ? args.command : '', arguments: args, cwd, environment: '' };
}

export interface Tally { tp: number; fp: number; fn: number; tn: number }

export const emptyTally = (): Tally => ({ tp: 0, fp: 0, fn: 0, tn: 0 });

export function count(t: Tally, labelDeny: boolean, flagged: boolean): void {
  if (labelDeny) t[flagged ? 'tp' : 'fn']++;
  else t[flagged ? 'fp' : 'tn']++;
}

export const ratio = (a: number, b: number): number => (b === 0 ? NaN : a / b);
export const precision = (t: Tally): number => ratio(t.tp, t.tp + t.fp);
export const recall = (t: Tally): number => ratio(t.tp, t.tp + t.fn);
/** Share of allow-labelled cases the decision flags. */
export const allowFlagged = (t: Tally): number => ratio(t.fp, t.fp + t.tn);

const f3 = (x: number): string => (Number.isNaN(x) ? '  n/a' : x.toFixed(3));

export function tallyLine(name: string, t: Tally): string {
  return `${name.padEnd(44)} n=${String(t.tp + t.fp + t.fn + t.tn).padStart(4)}  precision ${f3(precision(t))}  recall ${f3(recall(t))}  allow flagged ${(100 * allowFlagged(t)).toFixed(1).padStart(5)}%  (tp ${t.tp} fp ${t.fp} fn ${t.fn} tn ${t.tn})`;
}

/** Nearest-rank percentile of sorted numbers. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

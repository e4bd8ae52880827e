/**
 * Runs the classifier over the whole labelled corpus and reports precision and recall of
 * `destructive` (overall and per family), class accuracy, severity floors and target
 * agreement; every disagreement is printed. Thresholds are floors, not targets.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createClassifier } from './index.js';
import { describeCase, loadCorpus } from './corpus-cases.js';
import { SEVERITIES } from './validate-rule.js';

const MIN_PRECISION = 0.95;
const MIN_RECALL = 0.95;
const MIN_CLASS_ACCURACY = 0.9;
const MIN_CASES = 300;

interface Tally { tp: number; fp: number; fn: number; tn: number }
const ratio = (a: number, b: number): number => (b === 0 ? 1 : a / b);

test('corpus: destructive precision/recall, class accuracy, severity and targets', () => {
  const classifier = createClassifier();
  const cases = loadCorpus();
  assert.ok(cases.length >= MIN_CASES, `corpus has ${cases.length} cases, want ≥ ${MIN_CASES}`);
  const overall: Tally = { tp: 0, fp: 0, fn: 0, tn: 0 };
  const families = new Map<string, Tally>();
  let classOk = 0;
  let severityChecked = 0;
  let severityOk = 0;
  let targetsChecked = 0;
  let targetsOk = 0;
  const problems: string[] = [];
  for (const c of cases) {
    const r = classifier.classify(c.input);
    const t = families.get(c.family) ?? { tp: 0, fp: 0, fn: 0, tn: 0 };
    families.set(c.family, t);
    const key = c.destructive ? (r.destructive ? 'tp' : 'fn') : r.destructive ? 'fp' : 'tn';
    t[key]++;
    overall[key]++;
    const why = `${c.family}: ${describeCase(c)} -> destructive=${r.destructive} class=${r.action_class} severity=${r.severity} rules=[${r.matches.map((m) => m.rule_id).join(',')}] targets=${JSON.stringify(r.targets)}`;
    if (key === 'fp' || key === 'fn') problems.push(`${key.toUpperCase()} ${why}`);
    if (r.action_class === c.action_class) classOk++;
    else problems.push(`CLASS want ${c.action_class}: ${why}`);
    if (c.min_severity) {
      severityChecked++;
      if (SEVERITIES.indexOf(r.severity) >= SEVERITIES.indexOf(c.min_severity)) severityOk++;
      else problems.push(`SEVERITY want ≥ ${c.min_severity}: ${why}`);
    }
    if (c.targets) {
      targetsChecked++;
      if (c.targets.every((x) => r.targets.includes(x))) targetsOk++;
      else problems.push(`TARGETS want ${JSON.stringify(c.targets)}: ${why}`);
    }
  }
  const precision = ratio(overall.tp, overall.tp + overall.fp);
  const recall = ratio(overall.tp, overall.tp + overall.fn);
  const lines = [
    `corpus: ${cases.length} cases (${overall.tp + overall.fn} destructive, ${overall.tn + overall.fp} benign)`,
    `destructive precision ${precision.toFixed(3)} recall ${recall.toFixed(3)} (tp ${overall.tp} fp ${overall.fp} fn ${overall.fn} tn ${overall.tn})`,
    `class accuracy ${ratio(classOk, cases.length).toFixed(3)} · severity floors met ${severityOk}/${severityChecked} · targets matched ${targetsOk}/${targetsChecked}`,
    ...[...families].map(([f, t]) => `  ${f.padEnd(16)} precision ${ratio(t.tp, t.tp + t.fp).toFixed(3)} recall ${ratio(t.tp, t.tp + t.fn).toFixed(3)} (n=${t.tp + t.fp + t.fn + t.tn})`),
    problems.length ? `disagreements (${problems.length}):\n  ${problems.join('\n  ')}` : 'disagreements: none',
  ];
  console.log(lines.join('\n'));
  assert.ok(precision >= MIN_PRECISION, `precision ${precision.toFixed(3)} < ${MIN_PRECISION}`);
  assert.ok(recall >= MIN_RECALL, `recall ${recall.toFixed(3)} < ${MIN_RECALL}`);
  assert.ok(ratio(classOk, cases.length) >= MIN_CLASS_ACCURACY, `class accuracy below ${MIN_CLASS_ACCURACY}`);
  assert.equal(severityOk, severityChecked, 'every severity floor in the corpus must be met');
  assert.ok(ratio(targetsOk, targetsChecked) >= 0.9, 'target agreement below 0.9');
});

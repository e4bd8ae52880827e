/**
 * Warden on dcg's regression corpus (354 labelled commands written outside this project, MIT).
 * Prints precision, recall and the share of allow cases flagged for two decisions:
 *  - the classifier's `destructive` verdict (what every detector and the audit trail build on);
 *  - the gate's answer under the default policy for the command as a new session's first call
 *    (deny or ask counts as flagged), through the real engine, detectors and gate.
 * Lists every disagreement with dcg's label and checks each against
 * `corpus/external/dcg-disagreements.yaml`: an undocumented disagreement fails, and so does a
 * documented one that no longer disagrees (the list only shrinks). Targets held, for the
 * classifier and for the gate alike: recall ≥ 98% on bypass attempts, and on deny cases once the
 * documented deliberate misses of that decision are set aside (on dcg's raw labels it may not
 * fall below 97%); ≤ 2% of allow cases flagged by the gate — the answer a user meets (the
 * classifier also flags single-file deletes as destructive, severity low, on purpose: see the
 * data file).
 * No case may crash; per-case classification time (parse cache off) is printed, not asserted.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse as parseToml } from 'smol-toml';
import { parse as parseYaml } from 'yaml';
import { freshSessionGate } from '../../../test/helpers/fresh-session-gate.js';
import type { Classification } from '../classification.js';
import { createClassifier } from '../index.js';
import { DCG_DIR, loadDcgCorpus } from './dcg-corpus.js';
import { allowFlagged, caseInput, count, emptyTally, percentile, ratio, recall, tallyLine, type Tally } from './score.js';

const DISAGREEMENTS = fileURLToPath(new URL('../corpus/external/dcg-disagreements.yaml', import.meta.url));
const MIN_RECALL = 0.98;
const MAX_ALLOW_FLAGGED = 0.02;
/** Recall on dcg's raw labels (deliberate misses included) may not fall below today's figure, for the classifier and the gate. */
const MIN_RAW_RECALL = 0.97;
/** Classification time is the median of this many cold runs (parse cache off) per case. */
const ROUNDS = 3;

type Measure = 'destructive' | 'gate';
interface Entry { case?: string; cases?: string[]; measure: Measure; command?: string; reason: string }
interface Documented { case: string; measure: Measure; reason: string }

/** One row per documented case (an entry may name several cases sharing a reason). */
function loadDocumented(): Documented[] {
  const doc = parseYaml(readFileSync(DISAGREEMENTS, 'utf8')) as { disagreements?: Entry[] } | null;
  return (doc?.disagreements ?? []).flatMap((d) => {
    const ids = [...(d.case ? [d.case] : []), ...(d.cases ?? [])];
    assert.ok(ids.length > 0 && (d.measure === 'destructive' || d.measure === 'gate') && typeof d.reason === 'string' && d.reason.trim() !== '', `malformed entry ${JSON.stringify(d)}`);
    return ids.map((id) => ({ case: id, measure: d.measure, reason: d.reason }));
  });
}

const explain = (r: Classification): string =>
  `destructive=${r.destructive} class=${r.action_class} severity=${r.severity} rules=[${r.matches.map((m) => m.rule_id).join(',')}]`;

test("dcg's corpus is read as a full TOML parser reads it (every case, command and label)", () => {
  const ours = loadDcgCorpus();
  const files = [...new Set(ours.map((c) => c.file))];
  const theirs = files.flatMap((file) => {
    const doc = parseToml(readFileSync(join(DCG_DIR, file), 'utf8')) as { case?: Array<Record<string, unknown>> };
    return (doc.case ?? []).map((c, k) => `${file}#${k + 1} ${String(c.expected ?? c.expected_decision)} ${JSON.stringify(c.command ?? c.raw_input)}`);
  });
  assert.deepEqual(ours.map((c) => `${c.id} ${c.label} ${JSON.stringify(c.command)}`), theirs);
});

test("dcg's corpus: the classifier's destructive verdict and the gate's answer, every disagreement documented", async () => {
  const cases = loadDcgCorpus();
  assert.equal(cases.length, 354, 'the dcg corpus is complete');
  const classifier = createClassifier({ cacheSize: 0 });
  const gate = freshSessionGate();
  for (let i = 0; i < 30; i++) classifier.classify({ tool: 'Bash', command: `ls -la /tmp/w${i} | grep x && rm -f /tmp/w${i}`, arguments: {}, cwd: '/', environment: '' });

  const destructive = emptyTally();
  const gated = emptyTally();
  const groups = new Map<string, { destructive: Tally; gate: Tally }>();
  const found = new Map<string, { measure: Measure; line: string }>();
  const times: Array<{ ms: number; id: string }> = [];
  const crashes: string[] = [];
  const answers = { allow: 0, ask: 0, deny: 0 };
  let notActions = 0;

  for (const c of cases) {
    const input = caseInput(c);
    if ('none' in input) {
      notActions++;
      // dcg's hook fails open on these (label allow); Warden's hook adapter does too.
      assert.equal(c.label, 'allow', `${c.id}: malformed hook input labelled ${c.label}`);
      continue;
    }
    let result: Classification | undefined;
    const rounds: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const t0 = performance.now();
      try {
        result = classifier.classify(input);
      } catch (e) {
        crashes.push(`${c.id} ${JSON.stringify(c.command)}: ${String(e)}`);
        break;
      }
      rounds.push(performance.now() - t0);
    }
    if (result === undefined || rounds.length < ROUNDS) continue;
    times.push({ ms: rounds.sort((a, b) => a - b)[ROUNDS >> 1]!, id: c.id });
    const verdict = await gate.decide(input.tool, input.command, input.arguments, input.cwd);
    answers[verdict.decision]++;
    const deny = c.label === 'deny';
    const gateFlags = verdict.decision !== 'allow';
    count(destructive, deny, result.destructive);
    count(gated, deny, gateFlags);
    const g = groups.get(c.group) ?? { destructive: emptyTally(), gate: emptyTally() };
    groups.set(c.group, g);
    count(g.destructive, deny, result.destructive);
    count(g.gate, deny, gateFlags);
    const shown = JSON.stringify(c.command.length > 120 ? `${c.command.slice(0, 120)}…` : c.command);
    if (result.destructive !== deny) {
      found.set(`destructive ${c.id}`, { measure: 'destructive', line: `${deny ? 'MISSED' : 'FLAGGED'} ${c.id} dcg=${c.label} ${shown} -> ${explain(result)}` });
    }
    if (gateFlags !== deny) {
      found.set(`gate ${c.id}`, { measure: 'gate', line: `${deny ? 'MISSED' : 'FLAGGED'} ${c.id} dcg=${c.label} ${shown} -> gate ${verdict.decision}${verdict.detector ? ` (${verdict.detector} ${verdict.severity})` : ''}; ${explain(result)}` });
    }
  }

  const bypass = groups.get('bypass_attempts')!;
  const documented = loadDocumented();
  // Recall on the deny cases Warden agrees are harm: dcg's deny cases minus the documented
  // deliberate disagreements of that decision.
  const deliberateMisses = (measure: Measure): number => documented.filter((d) => d.measure === measure && cases.find((c) => c.id === d.case)?.label === 'deny').length;
  const deliberate = deliberateMisses('destructive');
  const denyRecall = ratio(destructive.tp, destructive.tp + destructive.fn - deliberate);
  const gateDeliberate = deliberateMisses('gate');
  const gateDenyRecall = ratio(gated.tp, gated.tp + gated.fn - gateDeliberate);
  times.sort((a, b) => a.ms - b.ms);
  const ms = times.map((t) => t.ms);
  const slow = times.filter((t) => t.ms > 5);
  const key = (d: Documented): string => `${d.measure} ${d.case}`;
  const undocumented = [...found].filter(([k]) => !documented.some((d) => key(d) === k));
  const stale = documented.filter((d) => !found.has(key(d)));

  const lines = [
    `dcg corpus: ${cases.length} cases (${cases.filter((c) => c.label === 'deny').length} deny, ${cases.filter((c) => c.label === 'allow').length} allow); ${notActions} are malformed hook stdin (no action); cwd /home/user/project`,
    tallyLine('classifier destructive', destructive),
    tallyLine('gate deny|ask (default policy, first call)', gated),
    `gate answers: allow ${answers.allow}, ask ${answers.ask}, deny ${answers.deny}`,
    ...[...groups].flatMap(([name, g]) => [tallyLine(`  ${name}: destructive`, g.destructive), tallyLine(`  ${name}: gate`, g.gate)]),
    `targets: classifier recall on deny ${recall(destructive).toFixed(3)} on dcg's labels (≥ ${MIN_RAW_RECALL}), ${denyRecall.toFixed(3)} without the ${deliberate} documented deliberate misses (≥ ${MIN_RECALL}), on bypass attempts ${recall(bypass.destructive).toFixed(3)} (≥ ${MIN_RECALL})`,
    `         gate recall on deny ${recall(gated).toFixed(3)} on dcg's labels (≥ ${MIN_RAW_RECALL}), ${gateDenyRecall.toFixed(3)} without the ${gateDeliberate} documented deliberate misses (≥ ${MIN_RECALL}), on bypass attempts ${recall(bypass.gate).toFixed(3)} (≥ ${MIN_RECALL}); gate flags ${(100 * allowFlagged(gated)).toFixed(1)}% of allow cases (≤ ${100 * MAX_ALLOW_FLAGGED}%)`,
    `classification time per case, parse cache off, median of ${ROUNDS}: p50 ${percentile(ms, 50).toFixed(3)} ms, p99 ${percentile(ms, 99).toFixed(3)} ms, max ${percentile(ms, 100).toFixed(3)} ms (${times[times.length - 1]?.id}); over 5 ms: ${slow.length ? slow.map((s) => `${s.id} ${s.ms.toFixed(1)} ms`).join(', ') : 'none'}`,
    `crashes: ${crashes.length}`,
    ...crashes,
    `disagreements (${found.size}; documented ${found.size - undocumented.length}):`,
    ...[...found.values()].map((f) => `  [${f.measure}] ${f.line}`),
  ];
  console.log(lines.join('\n'));

  assert.deepEqual(crashes, [], 'no case may crash the classifier');
  assert.deepEqual(undocumented.map(([, f]) => `[${f.measure}] ${f.line}`), [], `undocumented disagreements: fix them or record why in ${DISAGREEMENTS}`);
  assert.deepEqual(stale.map(key), [], 'documented disagreements that no longer disagree: remove them from the file');
  assert.ok(denyRecall >= MIN_RECALL, `classifier recall on deny cases ${denyRecall.toFixed(3)} < ${MIN_RECALL}`);
  assert.ok(recall(destructive) >= MIN_RAW_RECALL, `classifier recall on dcg's raw labels ${recall(destructive).toFixed(3)} < ${MIN_RAW_RECALL}`);
  assert.ok(recall(bypass.destructive) >= MIN_RECALL, `classifier recall on bypass attempts ${recall(bypass.destructive).toFixed(3)} < ${MIN_RECALL}`);
  assert.ok(gateDenyRecall >= MIN_RECALL, `gate recall on deny cases ${gateDenyRecall.toFixed(3)} < ${MIN_RECALL}`);
  assert.ok(recall(gated) >= MIN_RAW_RECALL, `gate recall on dcg's raw labels ${recall(gated).toFixed(3)} < ${MIN_RAW_RECALL}`);
  assert.ok(recall(bypass.gate) >= MIN_RECALL, `gate recall on bypass attempts ${recall(bypass.gate).toFixed(3)} < ${MIN_RECALL}`);
  assert.ok(allowFlagged(gated) <= MAX_ALLOW_FLAGGED, `the gate flags ${(100 * allowFlagged(gated)).toFixed(1)}% of allow cases`);
});

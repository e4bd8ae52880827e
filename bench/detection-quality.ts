/**
 * Detection quality beside the guard people use today: Warden and cc-safety-net (a dev
 * dependency, called through its own documented interfaces) on the same corpora — dcg's
 * regression corpus (written outside this project), Warden's own labelled corpus (its shell
 * commands; tool calls have no command for cc-safety-net) and the bypass suite (every family ×
 * every handled evasion, all destructive). Prints, side by side, precision, recall and the share
 * of benign cases flagged for: Warden's classifier (`destructive`), Warden's gate (deny or ask
 * for the command as a new session's first call, default policy), and cc-safety-net's
 * `checkCommand` (default level; deny). A row where Warden is worse than cc-safety-net says so.
 * Latency per command, in process for both (Warden's classifier with its parse cache off, the
 * gate's whole decision, `checkCommand`), and cc-safety-net's PreToolUse hook as a process per
 * call beside `node -e 0` (a process that does nothing). Asserts nothing.
 *
 * `BENCH_DQ_HOOK_CALLS` (default 30) sets how many hook processes are timed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { freshSessionGate } from '../test/helpers/fresh-session-gate.js';
import type { ActionInput } from '../normalize/classify/classification.js';
import { loadCorpus } from '../normalize/classify/corpus-cases.js';
import { evasionCases } from '../normalize/classify/corpus-evasions.js';
import { DCG_DIR, loadDcgCorpus } from '../normalize/classify/external/dcg-corpus.js';
import { allowFlagged, caseInput, count, emptyTally, percentile, precision, recall, type Tally } from '../normalize/classify/external/score.js';
import { createClassifier } from '../normalize/classify/index.js';

const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const HOOK_CALLS = Number(process.env.BENCH_DQ_HOOK_CALLS ?? 30);
const CCSN_BIN = path.join(ROOT, 'node_modules/cc-safety-net/dist/bin/cc-safety-net.js');
// cc-safety-net needs an existing absolute cwd, and relaxes its rules under temp folders: the
// corpus folder (inside the repository) stands for the project.
const CCSN_CWD = DCG_DIR;

// cc-safety-net keeps settings and an audit log under its home: a scratch folder, not the user's.
const scratch = mkdtempSync(path.join(tmpdir(), 'dq-ccsn-'));
const CCSN_ENV = { HOME: scratch, CC_SAFETY_NET_HOME: path.join(scratch, '.cc-safety-net'), CC_SAFETY_NET_AUDIT_HOME: path.join(scratch, 'audit') };
Object.assign(process.env, CCSN_ENV);
const { checkCommand } = (await import('cc-safety-net/api')) as typeof import('cc-safety-net/api');

interface Case { input: ActionInput; harmful: boolean }

function corpora(): Array<[string, Case[]]> {
  const dcg = loadDcgCorpus().flatMap((c) => {
    const input = caseInput(c);
    return 'none' in input || input.tool !== 'Bash' || input.command.trim() === '' ? [] : [{ input, harmful: c.label === 'deny' }];
  });
  const own = loadCorpus().filter((c) => c.input.command.trim() !== '' && ['Bash', 'bash', 'shell'].includes(c.input.tool)).map((c) => ({ input: c.input, harmful: c.destructive }));
  const bypass = evasionCases()
    .filter((c) => !c.evasion.unsupported)
    .map((c) => ({ input: { tool: 'Bash', command: c.text, arguments: { command: c.text }, cwd: '/home/dev/repo', environment: '' }, harmful: true }));
  return [["dcg's corpus", dcg], ["Warden's corpus (shell)", own], ['bypass suite', bypass]];
}

const f3 = (x: number): string => (Number.isNaN(x) ? '  n/a' : x.toFixed(3));
const pctText = (x: number): string => (Number.isNaN(x) ? '  n/a' : `${(100 * x).toFixed(1)}%`);
const ms = (sorted: number[]): string => `p50 ${percentile(sorted, 50).toFixed(3)}  p99 ${percentile(sorted, 99).toFixed(3)}  max ${percentile(sorted, 100).toFixed(3)} ms`;

function row(name: string, t: Tally): string {
  return `  ${name.padEnd(30)} ${f3(precision(t)).padStart(9)} ${f3(recall(t)).padStart(7)} ${pctText(allowFlagged(t)).padStart(8)}   (tp ${t.tp} fp ${t.fp} fn ${t.fn} tn ${t.tn})`;
}

/** A line saying where a decision does worse than cc-safety-net (none when at least as good). */
function worse(w: Tally, c: Tally): string[] {
  const out: string[] = [];
  if (precision(w) < precision(c)) out.push('precision');
  if (recall(w) < recall(c)) out.push('recall');
  if (allowFlagged(w) > allowFlagged(c)) out.push('benign cases flagged');
  return out.length ? [`    ↳ Warden worse than cc-safety-net on ${out.join(', ')}`] : [];
}

const classifier = createClassifier({ cacheSize: 0 });
const gate = freshSessionGate();
for (let i = 0; i < 50; i++) {
  classifier.classify({ tool: 'Bash', command: `ls -la /tmp/w${i} | grep x && rm -f /tmp/w${i}`, arguments: {}, cwd: '/', environment: '' });
  checkCommand({ command: `ls -la /tmp/w${i} | grep x && rm -f /tmp/w${i}`, cwd: CCSN_CWD });
}

const lines: string[] = ['detection quality: Warden beside cc-safety-net 2.4.5 (checkCommand, default level), same commands'];
const times = { classify: [] as number[], gate: [] as number[], ccsn: [] as number[] };
let ccsnErrors = 0;
for (const [name, cases] of corpora()) {
  const t = { classify: emptyTally(), gate: emptyTally(), ccsn: emptyTally() };
  for (const c of cases) {
    let started = performance.now();
    const r = classifier.classify(c.input);
    times.classify.push(performance.now() - started);
    started = performance.now();
    const verdict = await gate.decide(c.input.tool, c.input.command, c.input.arguments, c.input.cwd);
    times.gate.push(performance.now() - started);
    started = performance.now();
    let denied: boolean;
    try {
      denied = checkCommand({ command: c.input.command, cwd: CCSN_CWD }).kind === 'deny';
    } catch {
      // Its README: if checkCommand throws, do not run the command.
      ccsnErrors++;
      denied = true;
    }
    times.ccsn.push(performance.now() - started);
    count(t.classify, c.harmful, r.destructive);
    count(t.gate, c.harmful, verdict.decision !== 'allow');
    count(t.ccsn, c.harmful, denied);
  }
  lines.push(
    '',
    `${name}: ${cases.length} commands (${cases.filter((c) => c.harmful).length} harmful, ${cases.filter((c) => !c.harmful).length} benign)`,
    `  ${'decision'.padEnd(30)} precision  recall  flagged`,
    row('Warden classifier destructive', t.classify),
    ...worse(t.classify, t.ccsn),
    row('Warden gate deny|ask', t.gate),
    ...worse(t.gate, t.ccsn),
    row('cc-safety-net deny', t.ccsn),
  );
}

// cc-safety-net's PreToolUse hook, a process per call, beside a process that does nothing.
const sample = loadDcgCorpus().filter((c) => c.inputKind === 'command' && c.command.trim() !== '').slice(0, HOOK_CALLS);
const hookMs: number[] = [];
const nodeMs: number[] = [];
for (const c of sample) {
  const payload = JSON.stringify({ session_id: 'bench', transcript_path: path.join(scratch, 't.jsonl'), cwd: CCSN_CWD, hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: c.command } });
  let started = performance.now();
  spawnSync(process.execPath, [CCSN_BIN, 'hook', '--coding-cli'], { input: payload, env: { ...process.env, ...CCSN_ENV }, encoding: 'utf8', timeout: 30_000 });
  hookMs.push(performance.now() - started);
  started = performance.now();
  spawnSync(process.execPath, ['-e', '0'], { input: payload, timeout: 30_000 });
  nodeMs.push(performance.now() - started);
}

for (const list of [times.classify, times.gate, times.ccsn, hookMs, nodeMs]) list.sort((a, b) => a - b);
lines.push(
  '',
  `latency per command (${times.classify.length} commands; ${HOOK_CALLS} processes):`,
  `  Warden classifier, in process, parse cache off     ${ms(times.classify)}`,
  `  Warden gate decision (engine, detectors), in process ${ms(times.gate)}`,
  `  cc-safety-net checkCommand, in process             ${ms(times.ccsn)}${ccsnErrors ? ` (${ccsnErrors} threw: counted as deny)` : ''}`,
  `  cc-safety-net hook, one process per call           ${ms(hookMs)}`,
  `  baseline: node -e 0, one process per call          ${ms(nodeMs)}`,
);
console.log(lines.join('\n'));
rmSync(scratch, { recursive: true, force: true });

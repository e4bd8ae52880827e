/**
 * Bypass resistance: each destructive family of `corpus/bypass/evasions.yaml` wrapped in every
 * evasion there (shells given text, wrappers, shell syntax, interpreter one-liners, decoders)
 * must classify like the bare command — same destructive verdict and action class, severity not
 * lower. Evasions marked `unsupported` say why Warden does not see through them; such a mark
 * fails once the evasion works for every family (the list only shrinks). Prints a table of
 * evasions × families.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Classification } from './classification.js';
import { evasionCases, shq } from './corpus-evasions.js';
import { createClassifier } from './index.js';
import { SEVERITIES } from './validate-rule.js';

const rank = (s: string): number => SEVERITIES.indexOf(s as (typeof SEVERITIES)[number]);

function alike(bare: Classification, wrapped: Classification): boolean {
  return wrapped.destructive === bare.destructive && wrapped.action_class === bare.action_class && rank(wrapped.severity) >= rank(bare.severity);
}

test('every destructive family classifies like the bare command under every evasion', () => {
  const classifier = createClassifier();
  const cases = evasionCases();
  const bare = new Map<string, Classification>();
  const problems: string[] = [];
  const perEvasion = new Map<string, { ok: number; all: number; unsupported?: string }>();
  for (const { family, evasion, text } of cases) {
    let b = bare.get(family.name);
    if (!b) {
      b = classifier.classify({ tool: 'Bash', command: family.argv.map(shq).join(' '), arguments: {}, cwd: '/home/dev/repo', environment: '' });
      assert.ok(b.destructive, `the bare ${family.name} must be destructive`);
      bare.set(family.name, b);
    }
    const w = classifier.classify({ tool: 'Bash', command: text, arguments: {}, cwd: '/home/dev/repo', environment: '' });
    const tally = perEvasion.get(evasion.name) ?? { ok: 0, all: 0, ...(evasion.unsupported ? { unsupported: evasion.unsupported } : {}) };
    perEvasion.set(evasion.name, tally);
    tally.all++;
    if (alike(b, w)) tally.ok++;
    else if (!evasion.unsupported) problems.push(`${evasion.name} × ${family.name}: ${JSON.stringify(text)} -> destructive=${w.destructive} class=${w.action_class} severity=${w.severity}; bare: ${b.action_class} ${b.severity}`);
  }
  const supported = [...perEvasion.values()].filter((t) => !t.unsupported);
  const ok = supported.reduce((n, t) => n + t.ok, 0);
  const all = supported.reduce((n, t) => n + t.all, 0);
  console.log([
    `bypass suite: ${bare.size} families × ${perEvasion.size} evasions = ${cases.length} cases; classified like the bare command: ${ok}/${all} (evasions Warden handles)`,
    ...[...perEvasion].map(([name, t]) => `  ${name.padEnd(32)} ${t.ok}/${t.all}${t.unsupported ? '  (unsupported, documented)' : ''}`),
    problems.length ? `not alike:\n  ${problems.join('\n  ')}` : 'not alike: none',
  ].join('\n'));
  assert.deepEqual(problems, [], 'wrapped commands that no longer classify like the bare command');
  const nowWorking = [...perEvasion].filter(([, t]) => t.unsupported && t.ok === t.all).map(([name]) => name);
  assert.deepEqual(nowWorking, [], 'evasions marked unsupported that now work for every family: remove the mark');
});

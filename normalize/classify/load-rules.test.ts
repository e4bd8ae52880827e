/**
 * Rule loading: the bundled rules load; broken rule files report every problem at once under
 * CLASSIFY_RULES_INVALID; lists append across files; tuning silences rules without forking.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WardenError } from '../../lib/errors.js';
import { buildRuleSet, createClassifier, DEFAULT_RULES_DIR, loadRules, RULES_INVALID } from './index.js';
import type { ActionInput } from './classification.js';

const bash = (command: string, cwd = '/repo'): ActionInput => ({ tool: 'Bash', command, arguments: {}, cwd, environment: '' });

function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof WardenError);
    assert.equal(err.code, RULES_INVALID);
    assert.equal(err.retryable, false);
    return err.details.issues as string[];
  }
  assert.fail('expected the rule set to be rejected');
}

test('the bundled rule set loads and carries a version', () => {
  const rules = loadRules(DEFAULT_RULES_DIR);
  assert.match(rules.version, /^\d+\.\d+\.\d+$/);
  assert.ok(rules.rules.length > 50);
  assert.deepEqual(rules.lists.user_known_rm_recursive, []);
});

test('an invalid rule file reports every problem at once', () => {
  const issues = issuesOf(() => buildRuleSet([
    { source: 'a.yaml', text: 'version: "1.0.0"\nlists: { wide: [/] }\nrules:\n  - id: Bad-Id\n    condition: { command: rm, bogus_key: 1, any_target_in: no_such_list }\n    action_class: fs.delete\n    severity: extreme\n    reversible: maybe\n    blast_radius: galaxy\n  - id: dup\n    desc: d\n    condition: { command: x }\n    action_class: c\n    severity: low\n    reversible: true\n    blast_radius: single\n' },
    { source: 'b.yaml', text: 'rules:\n  - id: dup\n    desc: again\n    condition: {}\n    action_class: c\n    severity: low\n    reversible: true\n    blast_radius: single\ncommands:\n  rm: { targets: nowhere, flags: { recursive: [r] } }\n' },
    { source: 'c.yaml', text: 'rules: [unclosed' },
  ]));
  const expected = [
    /a\.yaml.*id must be snake_case/, /a\.yaml.*desc is required/, /unknown condition key "bogus_key"/,
    /unknown list "no_such_list"/, /severity must be one of/, /reversible must be true or false/, /blast_radius must be one of/,
    /b\.yaml.*duplicate rule id "dup"/, /b\.yaml.*condition is empty/, /unknown target builder "nowhere"/,
    /spellings must be strings starting with "-"/, /c\.yaml: YAML syntax error/,
  ];
  for (const re of expected) assert.ok(issues.some((i) => re.test(i)), `missing issue ${re}: got\n${issues.join('\n')}`);
  assert.ok(issues.length >= expected.length);
});

test('missing or conflicting versions are reported', () => {
  assert.ok(issuesOf(() => buildRuleSet([{ source: 'a.yaml', text: 'lists: {}' }])).some((i) => /declares the rule set version/.test(i)));
  assert.ok(issuesOf(() => buildRuleSet([{ source: 'a.yaml', text: 'version: "1.0.0"' }, { source: 'b.yaml', text: 'version: "2.0.0"' }])).some((i) => /different versions/.test(i)));
});

test('a folder of user files extends bundled lists (lists append across files)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rules-'));
  try {
    writeFileSync(join(dir, 'a.yaml'), 'version: "1.0.0"\nlists: { protected_branches: [main] }\n');
    writeFileSync(join(dir, 'b.yaml'), 'lists: { protected_branches: [develop] }\n');
    assert.deepEqual(loadRules(dir).lists.protected_branches, ['main', 'develop']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('tuning: a user_known_<rule> list silences the rule for listed targets only', () => {
  const base = createClassifier();
  const tuned = createClassifier({ tuning: { lists: { user_known_rm_recursive: ['/repo/scratch/**', '/repo/scratch'] } } });
  const scratch = bash('rm -rf scratch');
  assert.ok(base.classify(scratch).matches.some((m) => m.rule_id === 'rm_recursive'));
  assert.equal(base.classify(scratch).destructive, true);
  assert.ok(!tuned.classify(scratch).matches.some((m) => m.rule_id === 'rm_recursive'));
  assert.equal(tuned.classify(scratch).destructive, false);
  assert.equal(tuned.classify(bash('rm -rf src')).destructive, true);
});

test('tuning: exceptions and disabled rules; protected branches are extensible', () => {
  const tuned = createClassifier({
    tuning: {
      exceptions: { git_reset_hard: [{ any_target_in: ['/sandbox/**', '/sandbox'] }] },
      disabled_rules: ['docker_system_prune'],
      lists: { protected_branches: ['staging'] },
    },
  });
  assert.equal(tuned.classify(bash('git reset --hard', '/sandbox')).destructive, false);
  assert.equal(tuned.classify(bash('git reset --hard', '/repo')).destructive, true);
  assert.equal(tuned.classify(bash('docker system prune -af')).destructive, false);
  const staging = tuned.classify(bash('git push --force-with-lease origin staging'));
  assert.ok(staging.matches.some((m) => m.rule_id === 'git_force_push_protected'));
  assert.equal(createClassifier().classify(bash('git push --force-with-lease origin staging')).destructive, false);
});

test('tuning with unknown rule ids or bad conditions is rejected with all problems', () => {
  const issues = issuesOf(() => createClassifier({ tuning: { disabled_rules: ['nope'], exceptions: { also_nope: [{ weird: true } as never] } } }));
  assert.ok(issues.some((i) => /disabled_rules: unknown rule "nope"/.test(i)));
  assert.ok(issues.some((i) => /exceptions: unknown rule "also_nope"/.test(i)));
  assert.ok(issues.some((i) => /unknown condition key "weird"/.test(i)));
});

test('production environment raises destructive severity one step', () => {
  const c = createClassifier();
  const dev = c.classify(bash('git reset --hard'));
  const prod = c.classify({ ...bash('git reset --hard'), environment: 'prod' });
  assert.equal(dev.severity, 'medium');
  assert.equal(prod.severity, 'high');
  assert.equal(createClassifier({ tuning: { escalate_in_production: false } }).classify({ ...bash('git reset --hard'), environment: 'prod' }).severity, 'medium');
});

test('the bundled rules rate a destructive action by what it can undo: irreversible past one item is medium or above, low stays single or reversible', () => {
  // The gate's command floor (gate.command_ask_at: medium in the shipped policy) asks about a
  // destructive command from medium up; this keeps the rule data on the side of that line its
  // effect says: what cannot be undone and reaches a tree, many items or everything is asked.
  const rank = { none: 0, low: 1, medium: 2, high: 3, critical: 4 } as const;
  const under = loadRules(DEFAULT_RULES_DIR).rules
    .filter((r) => r.destructive && !r.reversible && r.blast_radius !== 'single' && r.blast_radius !== 'none' && rank[r.severity] < rank.medium)
    .map((r) => `${r.id} (${r.source}): ${r.severity}, irreversible, ${r.blast_radius}`);
  assert.deepEqual(under, []);
});

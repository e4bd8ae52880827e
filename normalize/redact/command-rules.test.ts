/**
 * Command-shape rules keep what a command does readable: the classifier reads the raw command
 * (normalize classifies before it redacts), and whatever reads the stored, redacted command
 * later — the gate's replay, an auditor, a detector rebuilt from ClickHouse — must see the same
 * action. For every command-shape case, the redacted command classifies exactly like the raw one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createClassifier } from '../classify/index.js';
import { createRedactor } from './index.js';
import { COMMAND_SHAPES } from './testdata/cases.js';

const redactor = createRedactor();
const classifier = createClassifier();

const verdict = (command: string) => {
  const c = classifier.classify({ tool: 'Bash', command, arguments: {}, cwd: '/home/dev/repo', environment: '' });
  return { action_class: c.action_class, destructive: c.destructive, severity: c.severity, rules: c.matches.map((m) => m.rule_id) };
};

for (const [name, input] of COMMAND_SHAPES) {
  test(`redacted command classifies like the raw one: ${name}`, () => {
    const redacted = redactor.redact(input).text;
    assert.notEqual(redacted, input);
    assert.deepEqual(verdict(redacted), verdict(input));
  });
}

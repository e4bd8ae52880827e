/**
 * A session whose declaration Warden's gate would refuse (longer than the gate API's bounds) is
 * refused by `createWarden` at once, saying which field — not by every gate call later (a refused
 * intent is denied whatever the fail mode). At the bounds it is accepted; Warden's end-to-end
 * test (test/e2e/gate-declaration.test.ts) sends a declaration at these bounds and has it applied.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createWarden } from '../src/index.js';
import { DECLARATION_LIMITS as L, declarationProblem } from '../src/records.js';

const atLimits = {
  agent: 'bot',
  goal: 'g'.repeat(L.goal),
  environment: 'e'.repeat(L.environment),
  user: 'u'.repeat(L.user),
  scope: { allow: Array.from({ length: L.scopeItems }, () => 'a'.repeat(L.scopeItemChars)), deny: ['/srv/**'] },
};

test('a declaration at the bounds is accepted', () => {
  assert.equal(declarationProblem(atLimits), null);
});

test('past any bound, createWarden throws a TypeError naming the field', () => {
  const over: Array<[string, object]> = [
    ['session.goal', { goal: 'g'.repeat(L.goal + 1) }],
    ['session.environment', { environment: 'e'.repeat(L.environment + 1) }],
    ['session.user', { user: 'u'.repeat(L.user + 1) }],
    ['session.scope.allow', { scope: { allow: Array.from({ length: L.scopeItems + 1 }, () => '/srv/**') } }],
    ['session.scope.deny', { scope: { deny: ['x'.repeat(L.scopeItemChars + 1)] } }],
    ['session.scope.deny', { scope: { deny: [''] } }],
  ];
  for (const [field, change] of over) {
    assert.throws(() => createWarden({ url: 'http://127.0.0.1:9', session: { ...atLimits, ...change } }), (err: unknown) => err instanceof TypeError && err.message.includes(field), field);
  }
});

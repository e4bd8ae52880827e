import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadOrCreateTokens, parseTokenFile } from './tokens.js';
import { WardenError } from '../lib/errors.js';

test('first start writes a private token file with an admin token, later starts read it back', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-tokens-'));
  try {
    const file = path.join(dir, 'tokens.yaml');
    const first = loadOrCreateTokens(file);
    assert.ok(first.created);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    const again = loadOrCreateTokens(file);
    assert.equal(again.created, undefined);
    const principal = again.registry.lookup(first.created.token);
    assert.equal(principal?.tenant, 'default');
    assert.ok(principal?.roles.has('admin'));
    // Bound to its tenant: reading another one is a separate, deliberate grant.
    assert.equal(principal?.roles.has('cross_tenant'), false);
    assert.equal(again.registry.lookup(first.created.token + 'x'), undefined);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a bad token file reports every problem at once', () => {
  const text = 'tokens:\n  - token: short\n    roles: [ingest, root]\n  - token: "0123456789abcdef0"\n    tenant: acme\n    roles: []\n';
  let error: unknown;
  try {
    parseTokenFile(text, 'tokens.yaml');
  } catch (err) {
    error = err;
  }
  assert.ok(error instanceof WardenError);
  assert.equal(error.code, 'TOKENS_INVALID');
  const problems = error.details.problems as string[];
  assert.equal(problems.length, 4, problems.join('\n'));
});

test('cross_tenant is a role a token file may grant', () => {
  const [entry] = parseTokenFile('tokens:\n  - {name: auditor, token: "0123456789abcdef0", tenant: acme, roles: [read, cross_tenant]}\n', 'tokens.yaml');
  assert.deepEqual(entry?.roles, ['read', 'cross_tenant']);
});

/**
 * Results name the texts they replaced (`secrets`), so a caller holding several strings of one
 * record can remove the same value where it appears without context. Every entry point reports
 * them: text, named values, walked values (numbers as their decimal text) and JSON documents.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRedactor } from './index.js';
import { FAKE as S } from './testdata/fake-secrets.js';

const redactor = createRedactor();

test('redact reports each replaced text with its kind', () => {
  const r = redactor.redact(`GITHUB_TOKEN=${S.githubPat} mysql -phunter2x db`);
  assert.deepEqual(r.secrets, [{ value: S.githubPat, kind: 'github_token' }, { value: 'hunter2x', kind: 'password_assignment' }]);
});

test('redactNamed reports the whole value a secret-like name made a secret, after an auth scheme', () => {
  assert.deepEqual(redactor.redactNamed('db_password', 'plain words').secrets, [{ value: 'plain words', kind: 'password_assignment' }]);
  assert.deepEqual(redactor.redactNamed('authorization', `Bearer ${S.bearer}`).secrets, [{ value: S.bearer, kind: 'bearer_token' }]);
});

test('redactValue and redactJsonString report what they replaced, numbers as decimal text', () => {
  const r = redactor.redactValue({ env: { PGPASSWORD: 424242 }, note: `token ${S.githubApp}` });
  assert.deepEqual(r.secrets, [{ value: '424242', kind: 'password_assignment' }, { value: S.githubApp, kind: 'github_token' }]);
  const j = redactor.redactJsonString(JSON.stringify({ api_key: 'abc123xyz' }));
  assert.deepEqual(j.secrets, [{ value: 'abc123xyz', kind: 'secret_assignment' }]);
});

test('nothing found, nothing reported', () => {
  assert.deepEqual(redactor.redact('git status').secrets ?? [], []);
  assert.deepEqual(redactor.redactValue({ a: 'b' }).secrets ?? [], []);
});

/** `redactNamed`: the attribute or key name decides how a value is treated. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRedactor } from './index.js';
import { FAKE as S } from './testdata/fake-secrets.js';

const R = (kind: string): string => `[REDACTED:${kind}]`;
const redactor = createRedactor();

const CASES: Array<[string, string, string]> = [
  // [name, value, expected]
  ['AWS_SECRET_ACCESS_KEY', S.awsSecretKey, R('high_entropy')],
  ['AWS_ACCESS_KEY_ID', S.awsAccessKey, R('aws_access_key')],
  ['GITHUB_TOKEN', S.githubPat, R('github_token')],
  ['DB_PASSWORD', 'hunter2', R('password_assignment')],
  ['password', 'correct horse battery staple', R('password_assignment')],
  ['PGPASSWORD', 'x', R('password_assignment')],
  ['apiKey', 'abc', R('secret_assignment')],
  ['clientSecret', S.bearer, R('high_entropy')],
  ['x-api-key', S.bearer, R('high_entropy')],
  ['Authorization', `Bearer ${S.bearer}`, `Bearer ${R('bearer_token')}`],
  ['authorization', `Bearer ${S.jwt}`, `Bearer ${R('jwt')}`],
  ['signature', S.bearer, R('high_entropy')],
  ['command', `curl -u admin:${S.password} https://x.example.com`, `curl -u admin:${R('basic_auth')} https://x.example.com`],
];

const UNCHANGED: Array<[string, string]> = [
  ['command', 'git reset --hard 3f2a9c1e5b7d4f6a8c0e2b4d6f8a0c2e4b6d8f0a'],
  ['commit', '3f2a9c1e5b7d4f6a8c0e2b4d6f8a0c2e4b6d8f0a'],
  ['session.id', '123e4567-e89b-12d3-a456-426614174000'],
  ['body', 'aGVsbG8gd29ybGQgZnJvbSB3YXJkZW4gdGVzdA=='],
  ['key', 'config/app.yaml'],
  ['signature', 'sha256'],
  ['DB_PASSWORD_FILE', '/run/secrets/db'],
  ['GITHUB_TOKEN', '${{ secrets.GITHUB_TOKEN }}'],
  ['token', ''],
  ['secretName', 'db-credentials'],
  ['token_type', 'Bearer'],
  ['auth', 'see the runbook for details'],
  ['PWD', '/home/dev'],
  ['password', R('password_assignment')],
];

for (const [name, value, expected] of CASES) {
  test(`redactNamed(${name}) redacts`, () => {
    const r = redactor.redactNamed(name, value);
    assert.equal(r.text, expected);
    assert.equal(r.count, 1);
  });
}

for (const [name, value] of UNCHANGED) {
  test(`redactNamed(${name}, ${JSON.stringify(value).slice(0, 30)}) keeps the value`, () => {
    const r = redactor.redactNamed(name, value);
    assert.equal(r.text, value);
    assert.equal(r.count, 0);
  });
}

/**
 * Behaviour table: strings that must come out redacted, with the exact expected output.
 * Context (names, users, hosts, schemes) is kept; only the secret becomes a marker.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRedactor } from './index.js';
import { FAKE as S, gcpServiceAccountJson } from './testdata/fake-secrets.js';
import { MUST_REDACT } from './testdata/cases.js';

const R = (kind: string): string => `[REDACTED:${kind}]`;

const redactor = createRedactor();

for (const [name, input, expected] of MUST_REDACT) {
  test(`redacts: ${name}`, () => {
    const r = redactor.redact(input);
    assert.equal(r.text, expected);
    assert.ok(r.count >= 1);
  });
}

test('a GCP service-account key file keeps its structure and loses its key', () => {
  const r = redactor.redactJsonString(gcpServiceAccountJson());
  const parsed = JSON.parse(r.text) as Record<string, string>;
  assert.equal(parsed.private_key, `${R('private_key')}\n`); // the key's trailing newline is not secret
  assert.equal(parsed.type, 'service_account');
  assert.equal(parsed.client_email, 'fake@warden-fake.iam.gserviceaccount.com');
});

test('kinds lists each kind once, count counts every secret', () => {
  const r = redactor.redact(`a=${S.githubPat} b=${S.githubApp} PASSWORD=x`);
  assert.equal(r.count, 3);
  assert.deepEqual(r.kinds, ['github_token', 'password_assignment']);
});

/**
 * Idempotence: redact(redact(x)) === redact(x) for every table case and for mixtures of them,
 * and a marker is never redacted again, whatever name or context it appears in.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRedactor } from './index.js';
import { MUST_NOT_REDACT, MUST_REDACT } from './testdata/cases.js';
import { gcpServiceAccountJson } from './testdata/fake-secrets.js';

const redactor = createRedactor();
const inputs = [...MUST_REDACT.map((c) => c[1]), ...MUST_NOT_REDACT.map((c) => c[1]), gcpServiceAccountJson()];

test('redact is idempotent on every table input', () => {
  for (const input of inputs) {
    const once = redactor.redact(input).text;
    const twice = redactor.redact(once);
    assert.equal(twice.text, once, `not idempotent: ${JSON.stringify(input)}`);
    assert.equal(twice.count, 0);
  }
});

test('redact is idempotent on mixtures (joined by newlines, spaces, and nothing)', () => {
  for (const sep of ['\n', ' ', '; ', '']) {
    for (let i = 0; i < inputs.length; i++) {
      const mixed = [inputs[i], inputs[(i * 7 + 3) % inputs.length], inputs[(i * 13 + 5) % inputs.length]].join(sep);
      const once = redactor.redact(mixed).text;
      assert.equal(redactor.redact(once).text, once, `not idempotent: ${JSON.stringify(mixed)}`);
    }
  }
});

test('redactNamed and redactJsonString are idempotent', () => {
  for (const name of ['password', 'GITHUB_TOKEN', 'authorization', 'key', 'command', '']) {
    for (const input of inputs) {
      const once = redactor.redactNamed(name, input).text;
      assert.equal(redactor.redactNamed(name, once).text, once, `${name}: ${JSON.stringify(input)}`);
    }
  }
  const json = JSON.stringify({ args: inputs });
  const once = redactor.redactJsonString(json).text;
  assert.equal(redactor.redactJsonString(once).text, once);
});

test('a marker is never re-redacted', () => {
  const kinds = ['password_assignment', 'high_entropy', 'github_token', 'private_key', 'url_password', 'bearer_token'];
  for (const kind of kinds) {
    const m = `[REDACTED:${kind}]`;
    for (const text of [m, `PASSWORD=${m}`, `"token": "${m}"`, `Authorization: Bearer ${m}`, `https://u:${m}@h.example.com`, `mysql -p${m}`]) {
      assert.deepEqual(redactor.redact(text), { text, count: 0, kinds: [] }, text);
    }
    assert.equal(redactor.redactNamed('password', m).count, 0);
    assert.equal(redactor.redactNamed('api_key', m).count, 0);
    assert.equal(redactor.redactNamed('signature', m).count, 0);
  }
});

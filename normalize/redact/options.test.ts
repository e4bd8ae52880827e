/** Redactor options: extra patterns, validation (all problems at once), metrics by kind. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Metrics } from '../../lib/metrics.js';
import { PermanentError } from '../../lib/errors.js';
import { createRedactor } from './index.js';

test('extra patterns redact site-specific tokens and win over name-based kinds', () => {
  const redactor = createRedactor({
    extraPatterns: [{ kind: 'acme_token', pattern: /\bacme_[a-z0-9]{12}\b/, triggers: ['acme_'] }],
  });
  assert.equal(redactor.redact('deploy --token acme_0123456789ab').text, 'deploy --token [REDACTED:acme_token]');
  assert.equal(redactor.redact('ACME=acme_0123456789ab').text, 'ACME=[REDACTED:acme_token]');
});

test('extra patterns: a capture group keeps the context; without triggers the pattern always runs', () => {
  const redactor = createRedactor({ extraPatterns: [{ kind: 'pin', pattern: /pin (\d{4})/, group: 1 }] });
  assert.equal(redactor.redact('unlock with pin 1234 now').text, 'unlock with pin [REDACTED:pin] now');
});

test('invalid options are reported together as one permanent error', () => {
  assert.throws(
    () => createRedactor({
      extraPatterns: [
        { kind: 'Bad Kind', pattern: /x/ },
        { kind: 'empty', pattern: /a*/ },
        { kind: 'group', pattern: /(a)b/, group: 2 },
        { kind: 'trig', pattern: /q/, triggers: ['UPPER'] },
      ],
    }),
    (err: unknown) => {
      assert.ok(err instanceof PermanentError);
      assert.equal(err.code, 'REDACT_INVALID_OPTIONS');
      assert.equal((err.details.problems as string[]).length, 4);
      return true;
    },
  );
});

test('metrics count redactions by kind', async () => {
  const metrics = new Metrics();
  const redactor = createRedactor({ metrics });
  redactor.redact('PASSWORD=hunter2');
  redactor.redactNamed('db_password', 'x');
  redactor.redact('nothing here');
  const counter = await metrics.redactions.get();
  const byKind = Object.fromEntries(counter.values.map((v) => [v.labels.kind, v.value]));
  assert.deepEqual(byKind, { password_assignment: 2 });
});

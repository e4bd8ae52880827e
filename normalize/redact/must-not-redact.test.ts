/**
 * Behaviour table: ordinary commands and values that must pass through unchanged. Over-redaction
 * destroys the audit trail's value (a SHA, a path, a resource name is exactly what an auditor
 * needs), so these are as important as the must-redact cases.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRedactor } from './index.js';
import { MUST_NOT_REDACT } from './testdata/cases.js';

const redactor = createRedactor();

for (const [name, input] of MUST_NOT_REDACT) {
  test(`keeps: ${name}`, () => {
    const r = redactor.redact(input);
    assert.equal(r.text, input);
    assert.equal(r.count, 0);
    assert.deepEqual(r.kinds, []);
  });
}

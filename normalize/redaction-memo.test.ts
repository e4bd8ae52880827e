/**
 * The redaction memo returns what the redactor would, calls it once per repeated short value,
 * never memoizes long values, stays bounded, and keeps the structured-value methods. A value read
 * all the time stays remembered while values seen once stream past it, and structured values
 * (tool arguments) are walked through the memo, so a repeated command inside them is redacted once.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Redactor, ValueRedactor } from './redact/redaction.js';
import { createRedactor } from './redact/index.js';
import { MAX_MEMO_VALUE, memoizeRedactor } from './redaction-memo.js';

function counting(inner: Redactor): { redactor: Redactor; calls: () => number } {
  let n = 0;
  return {
    calls: () => n,
    redactor: {
      redact: (t) => (n++, inner.redact(t)),
      redactNamed: (k, v) => (n++, inner.redactNamed(k, v)),
    },
  };
}

describe('redaction memo', () => {
  const real = createRedactor();
  const inputs: Array<[string, string]> = [
    ['password', 'hunter2hunter2'],
    ['note', 'AKIAZ7Q3WX5R2M4PLK9T in text'],
    ['service.name', 'claude-code'],
    ['url', 'https://u:pw-9Qk2-x@h.example/x'],
  ];

  it('gives the redactor\'s answers and calls it once per repeated value', () => {
    const { redactor, calls } = counting(real);
    const memo = memoizeRedactor(redactor);
    for (let round = 0; round < 3; round++) {
      for (const [k, v] of inputs) {
        assert.deepEqual(memo.redactNamed(k, v), real.redactNamed(k, v));
        assert.deepEqual(memo.redact(v), real.redact(v));
      }
    }
    assert.equal(calls(), inputs.length * 2);
  });

  it('does not memoize long values and stays bounded', () => {
    const { redactor, calls } = counting(real);
    const memo = memoizeRedactor(redactor, 2);
    const long = 'x'.repeat(MAX_MEMO_VALUE + 1);
    memo.redact(long);
    memo.redact(long);
    assert.equal(calls(), 2);
    for (const v of ['a', 'b', 'c', 'a']) memo.redact(v);
    assert.equal(calls(), 6, 'a was the least recently used when c came, so it is redacted again');
  });

  it('keeps redactValue when the redactor has it', () => {
    const memo = memoizeRedactor(real) as ValueRedactor;
    assert.equal(typeof memo.redactValue, 'function');
    assert.equal('redactValue' in memoizeRedactor(counting(real).redactor), false);
  });

  it('keeps a value read all the time while values seen once stream past it', () => {
    const { redactor, calls } = counting(real);
    const memo = memoizeRedactor(redactor, 100);
    for (let i = 0; i < 1000; i++) {
      memo.redact('claude-code');
      memo.redact(`toolu_${i}`);
    }
    assert.equal(calls(), 1 + 1000, 'the repeated value was redacted once, each one-off value once');
  });

  it('walks structured values through the memo: a repeated command is redacted once', () => {
    let named = 0;
    let walked = 0;
    const inner: ValueRedactor = {
      ...real,
      redactNamed: (k, v) => (named++, real.redactNamed(k, v)),
      redactValue: (v, k) => (walked++, real.redactValue(v, k)),
    };
    const memo = memoizeRedactor(inner) as ValueRedactor;
    const args = { command: 'mysql -u root -pS3cr3tPassw0rd prod', env: { PGPASSWORD: 424242 } };
    for (let i = 0; i < 3; i++) assert.deepEqual(memo.redactValue(structuredClone(args), 'arguments'), real.redactValue(args, 'arguments'));
    assert.equal(walked, 0, 'the inner walk (which redacts every string afresh) is not used');
    assert.equal(named, 1, 'the command string was redacted once, then remembered');
  });
});

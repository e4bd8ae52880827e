/**
 * Adversarial inputs must not make the hot path quadratic or backtrack catastrophically: each
 * ~200-500 KB string below is redacted well within a generous bound (typically tens to a few
 * hundred milliseconds). A regression here shows up as seconds or minutes, not as a near miss.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRedactor } from './index.js';

const BOUND_MS = 3000;

const INPUTS: Record<string, string> = {
  'url-like colons': 'a://' + 'x:'.repeat(100_000),
  'repeated key=': 'key='.repeat(50_000),
  'repeated password=': 'password='.repeat(50_000),
  'repeated flags': '--token '.repeat(50_000),
  'unterminated pem headers': '-----BEGIN PRIVATE KEY-----'.repeat(20_000),
  'mysql without -p': 'mysql '.repeat(50_000) + ' -p',
  'curl -u without colon': 'curl -u '.repeat(50_000),
  'unterminated json strings': '"password": "'.repeat(30_000),
  'long basic value': 'Basic ' + 'QUJD'.repeat(100_000),
  'jwt-like fragments': 'eyJabcdef.'.repeat(50_000),
  'htpasswd flags without arguments': 'htpasswd' + ' -b'.repeat(100_000),
  'vault login without an end': 'vault login ' + 'a '.repeat(100_000) + '=',
  'sudo -S without a pipe': 'echo x sudo -S '.repeat(30_000),
  'sudo -S without a here-string': 'echo x sudo -S '.repeat(30_000) + '<<<',
  'sql statements without a password': 'ALTER USER x '.repeat(40_000) + "PASSWORD '",
  'unterminated sql strings': "IDENTIFIED BY '".repeat(30_000),
  'set password without a value': 'SET PASSWORD FOR '.repeat(30_000),
  'samba users without a password': 'smbclient -U a%'.repeat(30_000),
  'one long base64 run': 'Z2hwX2'.repeat(80_000),
  'many short base64 runs': 'cGFzc3dvcmQ9aHVudGVy '.repeat(20_000),
};

const redactor = createRedactor();

for (const [name, input] of Object.entries(INPUTS)) {
  test(`bounded time: ${name}`, () => {
    const start = performance.now();
    redactor.redact(input);
    const ms = performance.now() - start;
    assert.ok(ms < BOUND_MS, `${name}: ${ms.toFixed(0)} ms`);
  });
}

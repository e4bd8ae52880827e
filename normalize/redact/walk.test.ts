/** `redactValue` / `redactJsonString`: keys name the values below them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRedactor } from './index.js';
import { FAKE as S } from './testdata/fake-secrets.js';

const R = (kind: string): string => `[REDACTED:${kind}]`;
const redactor = createRedactor();

test('tool arguments: command text and env names are both used', () => {
  const args = {
    command: `PGPASSWORD=hunter2 psql -h db`,
    env: { AWS_SECRET_ACCESS_KEY: S.awsSecretKey, HOME: '/root', GITHUB_TOKEN: S.githubPat },
    timeout: 30,
  };
  const r = redactor.redactValue(args);
  assert.deepEqual(r.value, {
    command: `PGPASSWORD=${R('password_assignment')} psql -h db`,
    env: { AWS_SECRET_ACCESS_KEY: R('high_entropy'), HOME: '/root', GITHUB_TOKEN: R('github_token') },
    timeout: 30,
  });
  assert.equal(r.count, 3);
  assert.deepEqual([...r.kinds].sort(), ['github_token', 'high_entropy', 'password_assignment']);
  assert.equal(args.env.GITHUB_TOKEN, S.githubPat, 'input is not mutated');
});

test('arrays inherit the name of their key; numbers under password names are redacted', () => {
  const r = redactor.redactValue({ tokens: ['a', 'b'], api_tokens: [S.bearer], pin_password: 123456, port: 5432 });
  assert.deepEqual(r.value, { tokens: ['a', 'b'], api_tokens: [R('high_entropy')], pin_password: R('password_assignment'), port: 5432 });
});

test('OTLP JSON attributes: the attribute key names the AnyValue', () => {
  const attrs = [
    { key: 'db.password', value: { stringValue: 'hunter2' } },
    { key: 'http.method', value: { stringValue: 'GET' } },
  ];
  const r = redactor.redactValue(attrs);
  assert.deepEqual(r.value, [
    { key: 'db.password', value: { stringValue: R('password_assignment') } },
    { key: 'http.method', value: { stringValue: 'GET' } },
  ]);
});

test('subtrees without secrets are returned as the same objects', () => {
  const clean = { a: { b: ['x', 1, null, true] } };
  const r = redactor.redactValue(clean);
  assert.equal(r.value, clean);
  assert.equal(r.count, 0);
});

test('a "__proto__" key stays a plain key', () => {
  const parsed = JSON.parse('{"__proto__": {"password": "hunter2"}}') as unknown;
  const r = redactor.redactValue(parsed);
  assert.equal(Object.getPrototypeOf(r.value), Object.prototype);
  assert.equal(JSON.stringify(r.value), `{"__proto__":{"password":"${R('password_assignment')}"}}`);
});

test('redactJsonString: unchanged input is returned byte for byte', () => {
  const json = '{ "command" : "ls -la",\n  "n": 1.0 }';
  const r = redactor.redactJsonString(json);
  assert.equal(r.text, json);
  assert.equal(r.count, 0);
});

test('redactJsonString: nested env secrets', () => {
  const json = JSON.stringify({ command: 'deploy', env: { AWS_SECRET_ACCESS_KEY: S.awsSecretKey } });
  const r = redactor.redactJsonString(json);
  assert.equal(r.text, JSON.stringify({ command: 'deploy', env: { AWS_SECRET_ACCESS_KEY: R('high_entropy') } }));
});

test('redactJsonString: invalid JSON falls back to text scanning', () => {
  const r = redactor.redactJsonString(`{"password": "hunter2", broken`);
  assert.equal(r.text, `{"password": "${R('password_assignment')}", broken`);
});

test('very deep structures are still redacted', () => {
  let deep: unknown = { password: 'hunter2' };
  for (let i = 0; i < 100; i++) deep = { next: deep };
  const r = redactor.redactValue(deep);
  assert.equal(r.count, 1);
  assert.ok(!JSON.stringify(r.value).includes('hunter2'));
});

/**
 * Webhook endpoint configuration: the YAML file and the shorthand variables, validation that
 * reports every problem at once, and secrets that never show up in errors or serialized config.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WardenError } from '../lib/errors.js';
import { generateWebhookSecret, loadWebhookEndpoints } from './webhook-endpoints.js';

const secretA = generateWebhookSecret();
const secretB = generateWebhookSecret();
const files = (text: string) => (path: string): string => {
  assert.equal(path, '/config/webhooks.yaml');
  return text;
};

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof WardenError);
    assert.equal(err.code, 'INVALID_WEBHOOK_CONFIG');
    assert.equal(err.retryable, false);
    return err.details.problems as string[];
  }
  assert.fail('expected INVALID_WEBHOOK_CONFIG');
}

describe('loadWebhookEndpoints', () => {
  it('no configuration: no endpoints', () => {
    assert.deepEqual(loadWebhookEndpoints({}), []);
  });

  it('reads the YAML file (secret_env or inline secret) and the shorthand', () => {
    const yaml = `endpoints:
  - name: vault
    url: https://creds.example.com/hooks
    secret_env: VAULT_SECRET
  - name: pager
    url: http://127.0.0.1:9000/warden
    secret: ${secretB}
    events: [session.revoked, finding.created]
`;
    const endpoints = loadWebhookEndpoints(
      { WARDEN_WEBHOOKS_FILE: '/config/webhooks.yaml', VAULT_SECRET: secretA, WARDEN_WEBHOOK_URL: 'https://x.example/h', WARDEN_WEBHOOK_SECRET: secretB },
      files(yaml),
    );
    assert.deepEqual(
      endpoints.map((e) => [e.name, e.url, e.secret, e.events]),
      [
        ['vault', 'https://creds.example.com/hooks', secretA, ['session.revoked', 'session.reinstated']],
        ['pager', 'http://127.0.0.1:9000/warden', secretB, ['session.revoked', 'finding.created']],
        ['default', 'https://x.example/h', secretB, ['session.revoked', 'session.reinstated']],
      ],
    );
    const serialized = JSON.stringify(endpoints);
    assert.ok(!serialized.includes(secretA.slice(6)) && !serialized.includes(secretB.slice(6)), 'secrets are not serialized');
  });

  it('reports every problem at once, without the secrets', () => {
    const badSecret = 'whsec_c2hvcnQ='; // 5 bytes
    const yaml = `endpoints:
  - name: "bad name!"
    url: ftp://example.com
    secret_env: MISSING_SECRET
    events: [session.revoked, session.exploded]
  - name: ok
    url: https://example.com
    secret: ${badSecret}
    colour: blue
  - name: ok
    url: https://example.com
    secret: not-a-secret
  - name: both
    url: https://example.com
    secret: ${secretA}
    secret_env: X
`;
    const problems = problemsOf(() =>
      loadWebhookEndpoints({ WARDEN_WEBHOOKS_FILE: '/config/webhooks.yaml', WARDEN_WEBHOOK_URL: 'not a url' }, files(yaml)),
    );
    assert.deepEqual(problems, [
      'endpoints[0].secret_env: environment variable MISSING_SECRET is not set',
      "endpoints[0].name: letters, digits, '_', '.', '-' (1–64), starting with a letter or digit",
      'endpoints[0].url: not an http(s) URL',
      'endpoints[0].events: unknown event type "session.exploded"',
      'endpoints[1]: unknown field colour',
      'endpoints[1]: secret decodes to 5 bytes; Standard Webhooks secrets are 24–64 bytes',
      'endpoints[2]: secret is not in whsec_<base64> form',
      'endpoints[3]: give secret or secret_env, not both',
      'WARDEN_WEBHOOK_URL/WARDEN_WEBHOOK_SECRET: WARDEN_WEBHOOK_SECRET is not set',
      'WARDEN_WEBHOOK_URL/WARDEN_WEBHOOK_SECRET.url: not an http(s) URL',
    ]);
    assert.ok(!problems.join('\n').includes(secretA.slice(6)));
    assert.ok(!problems.join('\n').includes('c2hvcnQ'));
  });

  it('a file that does not parse, or has no endpoints list, and duplicate names', () => {
    assert.match(problemsOf(() => loadWebhookEndpoints({ WARDEN_WEBHOOKS_FILE: '/config/webhooks.yaml' }, files('endpoints: [')))[0]!, /cannot read or parse/);
    assert.deepEqual(problemsOf(() => loadWebhookEndpoints({ WARDEN_WEBHOOKS_FILE: '/config/webhooks.yaml' }, files('hooks: []'))), [
      'WARDEN_WEBHOOKS_FILE: expected `endpoints:` with a list of endpoints',
    ]);
    const yaml = `endpoints:\n  - {name: default, url: "https://a.example", secret: "${secretA}"}\n`;
    assert.deepEqual(
      problemsOf(() => loadWebhookEndpoints({ WARDEN_WEBHOOKS_FILE: '/config/webhooks.yaml', WARDEN_WEBHOOK_URL: 'https://b.example', WARDEN_WEBHOOK_SECRET: secretB }, files(yaml))),
      ['endpoint name default is used twice'],
    );
  });
});

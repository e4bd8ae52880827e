/**
 * Secrets never leave normalize: planted in the command, the arguments, an attribute, a log body,
 * the goal and a URL target, they must not appear anywhere in the serialized AuditEvent, while
 * the classifier still saw the raw command. Real classifier and redactor.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Metrics } from '../lib/metrics.js';
import type { ActionInput, Classifier } from './classify/classification.js';
import { createNormalizer } from './normalizer.js';
import { logRecord, realDeps, span } from './test-kit.js';

const AWS_KEY = 'AKIAZ7Q3WX5R2M4PLK9T';
const GH_TOKEN = 'ghp_Xq7Lm2Pz9Rt4Vw8Yb1Nc6Kd3Hf5Js0GaE2uW';
const URL_PASSWORD = 'pW9-zQ4r-Lk2x';
const API_KEY = 'k3Y9fQ2vLr8ZpX4mT7wN1bHs6Dc0JgEa';

const secrets = [AWS_KEY, GH_TOKEN, URL_PASSWORD, API_KEY];

function plantedSpan() {
  return span({
    attributes: {
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'Bash',
      'session.id': 's-1',
      'warden.action.command': `AWS_ACCESS_KEY_ID=${AWS_KEY} aws s3 rm s3://bucket/logs --recursive`,
      'gen_ai.tool.call.arguments': JSON.stringify({ command: `git push https://x:${GH_TOKEN}@github.com/acme/repo.git`, env: { API_KEY } }),
      'warden.action.targets': [`https://admin:${URL_PASSWORD}@db.example.com/prod`],
      'warden.session.goal': `rotate the key ${AWS_KEY}`,
      'http.request.header.authorization': `token ${GH_TOKEN}`,
      api_key: API_KEY,
      nested: { config: { password: URL_PASSWORD } },
    },
    resource: { 'service.name': 'bot', 'deploy.token': GH_TOKEN },
  });
}

describe('normalize: redaction', () => {
  it('no planted secret survives anywhere in the event', () => {
    const metrics = new Metrics();
    const normalizer = createNormalizer({ ...realDeps(), metrics });
    const [event] = normalizer.normalize([plantedSpan()]);
    assert.ok(event);
    const text = JSON.stringify(event);
    for (const secret of secrets) assert.ok(!text.includes(secret), `secret ${secret.slice(0, 6)}… leaked: ${text}`);
    assert.match(event.command, /\[REDACTED:[a-z_]+\]/);
    assert.match(event.targets[0]!, /^https:\/\/admin:\[REDACTED:[a-z_]+\]@db\.example\.com\/prod$/);
    assert.match(event.attributes.api_key!, /REDACTED/);
    assert.ok(event.redactions >= 7, `redactions counted: ${event.redactions}`);
    // the arguments are still JSON
    const args = JSON.parse(event.arguments) as { command: string };
    assert.match(args.command, /REDACTED/);
  });

  it('counts redactions by kind in metrics', async () => {
    const metrics = new Metrics();
    const normalizer = createNormalizer({ ...realDeps(), metrics });
    const [event] = normalizer.normalize([plantedSpan()]);
    const counted = (await metrics.redactions.get()).values.reduce((n, v) => n + v.value, 0);
    assert.ok(counted > 0 && counted <= event!.redactions, `metric ${counted} vs event ${event!.redactions}`);
    const kinds = (await metrics.redactions.get()).values.map((v) => v.labels.kind);
    assert.ok(kinds.includes('aws_access_key'), kinds.join(','));
  });

  it('secrets in a log body and a Claude Code tool_parameters string are redacted', () => {
    const normalizer = createNormalizer(realDeps());
    const record = logRecord({
      body: 'claude_code.tool_result',
      scope: { name: 'com.anthropic.claude_code.events', version: '1' },
      attributes: {
        'event.name': 'tool_result',
        tool_name: 'Bash',
        tool_parameters: JSON.stringify({ bash_command: `curl -H "Authorization: Bearer ${GH_TOKEN}" https://api.github.com` }),
        output: `export AWS_ACCESS_KEY_ID=${AWS_KEY}`,
      },
    });
    const hook = logRecord({ body: { hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: 'ls' }, secret_token: API_KEY } });
    const text = JSON.stringify(normalizer.normalize([record, hook]));
    for (const secret of secrets) assert.ok(!text.includes(secret), `leaked ${secret.slice(0, 6)}…`);
  });

  it('the classifier sees the raw command, before redaction', () => {
    const seen: ActionInput[] = [];
    const real = realDeps();
    const spy: Classifier = {
      classify(input) {
        seen.push(input);
        return real.classifier.classify(input);
      },
    };
    createNormalizer({ ...real, classifier: spy }).normalize([plantedSpan()]);
    assert.equal(seen.length, 1);
    assert.ok(seen[0]!.command.includes(AWS_KEY), 'raw command given to the classifier');
    assert.equal((seen[0]!.arguments.env as { API_KEY: string }).API_KEY, API_KEY);
  });
});

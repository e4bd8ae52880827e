/**
 * Every string of an event goes through the redactor, not only the free-text fields: span and
 * log event names, tool names, identity, tool call ids, environment, decision, attribute keys.
 * A secret recognised in one field is removed from the others too — from a description that
 * repeats it bare, and from the targets the classifier derived from the raw command.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AuditEvent } from '../model/audit-event.js';
import { createNormalizer } from './normalizer.js';
import { logRecord, realDeps, span } from './test-kit.js';

const GH_TOKEN = 'ghp_' + 'Rk3vQ8mZ2pL7xW4nT9yB6cJ1hF5dS0aE3uGi';
const PASSWORD = 'Blue' + 'Harbor-71!';

const normalizer = createNormalizer(realDeps());

function normalizeOne(record: Parameters<typeof normalizer.normalize>[0][number]): AuditEvent {
  const [event] = normalizer.normalize([record]);
  assert.ok(event, 'the record was normalized');
  return event;
}

const leaks = (event: AuditEvent, secret: string): boolean => JSON.stringify(event).includes(secret);

describe('redactEvent: every string of the event', () => {
  it('redacts the span name, tool name, tool call id, identity, environment and decision', () => {
    const event = normalizeOne(span({
      name: `execute_tool ${GH_TOKEN}`,
      attributes: {
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': `Bash ${GH_TOKEN}`,
        'gen_ai.tool.call.id': `call-${GH_TOKEN}`,
        'gen_ai.tool.call.arguments': JSON.stringify({ command: 'ls' }),
        'session.id': 's-1',
        'gen_ai.agent.id': `agent ${GH_TOKEN}`,
        'user.id': `dev ${GH_TOKEN}`,
        'warden.environment': `prod ${GH_TOKEN}`,
      },
      status: { code: 2, message: `failed: PGPASSWORD=${PASSWORD}` },
    }));
    assert.equal(leaks(event, GH_TOKEN), false, JSON.stringify(event));
    assert.equal(leaks(event, PASSWORD), false, JSON.stringify(event));
    assert.equal(event.name, 'execute_tool [REDACTED:github_token]');
    assert.equal(event.tool, 'Bash [REDACTED:github_token]');
    assert.equal(event.session_id, 's-1');
    assert.ok(event.redactions >= 7, `counted ${event.redactions}`);
  });

  it('redacts a log record\'s event name and attribute keys', () => {
    const event = normalizeOne(logRecord({
      eventName: `deploy ${GH_TOKEN}`,
      attributes: { [`note ${GH_TOKEN}`]: 'x', [`other ${GH_TOKEN}`]: 'y' },
    }));
    assert.equal(leaks(event, GH_TOKEN), false, JSON.stringify(event));
    assert.equal(event.name, 'deploy [REDACTED:github_token]');
    assert.equal(Object.keys(event.attributes).length, 2, 'two keys that redact alike both stay');
  });

  it('removes a secret found in the command from the targets derived from it and from other fields', () => {
    const command = `az login -u ops@example.com -p ${PASSWORD}`;
    const event = normalizeOne(span({
      name: `az login as ops with ${PASSWORD}`,
      attributes: {
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': 'Bash',
        'gen_ai.tool.call.arguments': JSON.stringify({ command, description: `log in (password ${PASSWORD})` }),
      },
    }));
    assert.equal(event.action_class, 'cloud.exec', 'classified on the raw command');
    assert.equal(leaks(event, PASSWORD), false, JSON.stringify(event));
    assert.ok(event.targets.some((t) => t.includes('[REDACTED:password_assignment]')), event.targets.join(' '));
    assert.equal(event.name, 'az login as ops with [REDACTED:password_assignment]');
    assert.match((JSON.parse(event.arguments) as { description: string }).description, /\(password \[REDACTED:password_assignment\]\)/);
  });

  it('spreads the JSON-escaped spelling of a secret into JSON fields, and leaves short secrets where they were', () => {
    const quoted = 'Pa"ss\\word-9';
    const event = normalizeOne(span({
      attributes: {
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': 'Bash',
        'warden.action.command': `PGPASSWORD='${quoted}' psql -c 'select 1' && PW=abc`,
        'gen_ai.tool.call.arguments': JSON.stringify({ note: `was ${quoted}`, other: 'abc and abcdef' }),
      },
    }));
    assert.equal(event.command.includes(quoted), false, event.command);
    assert.equal(event.arguments.includes(JSON.stringify(quoted).slice(1, -1)), false, event.arguments);
    assert.match(event.arguments, /was \[REDACTED:password_assignment\]/);
    assert.match(event.arguments, /abc and abcdef/, 'a three-letter secret is not spread over ordinary text');
  });
});

/**
 * Log lines never carry a secret: request-content fields are censored by path, and whatever
 * else a line holds (a message with an interpolated reason, an error quoting its input, a
 * child's bindings) goes through the redactor before it is written.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CENSORED, createLogger } from './logger.js';
import { logLineRedactor } from '../normalize/redact/index.js';

const GH_TOKEN = 'ghp_' + 'Lq4wT8nZ3vK7pR2mX9cB5yH1jD6fS0aGe3Ui';
const PASSWORD = 'Quiet' + 'Lantern-42';

function capture(): { lines: string[]; destination: { write(line: string): void } } {
  const lines: string[] = [];
  return { lines, destination: { write: (line: string) => void lines.push(line) } };
}

test('request-content fields are censored whole, at the top level and one object down', () => {
  const { lines, destination } = capture();
  const logger = createLogger(logLineRedactor(), 'debug', destination);
  logger.warn({ command: 'ls -la', event: { arguments: '{"path":"/tmp"}', body: 'plain' }, session_id: 's-1' }, 'dropped');
  const line = JSON.parse(lines[0]!) as { command: string; event: { arguments: string; body: string }; session_id: string };
  assert.equal(line.command, CENSORED);
  assert.equal(line.event.arguments, CENSORED);
  assert.equal(line.event.body, CENSORED);
  assert.equal(line.session_id, 's-1');
});

test('secrets in messages, errors and bindings are redacted; the line stays JSON', () => {
  const { lines, destination } = capture();
  const logger = createLogger(logLineRedactor(), 'debug', destination).child({ source: `agent ${GH_TOKEN}` });
  logger.warn({ session_id: 's-1' }, `session revoked: ran PGPASSWORD=${PASSWORD} psql`);
  logger.error({ err: new Error(`could not parse ${GH_TOKEN}`) }, 'failed');
  logger.debug(`token ${GH_TOKEN}`);
  assert.equal(lines.length, 3);
  for (const line of lines) {
    assert.equal(line.includes(GH_TOKEN), false, line);
    assert.equal(line.includes(PASSWORD), false, line);
    JSON.parse(line);
  }
  assert.match(lines[0]!, /PGPASSWORD=\[REDACTED:password_assignment\] psql/);
});

/**
 * The declaration record the gate builds is the harness's telemetry declaration: given the same
 * session, agent, fields and time, the harness's OTLP/JSON export decoded by Warden's decoder and
 * the gate's record have the same event id (so the two copies are stored and applied once), and
 * both read as the same `session`-phase declaration.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeOtlp, type DecodedRecord } from '../../decode/otlp/index.js';
import { eventIdOf } from '../../normalize/event-id.js';
import { HARNESS_SCOPE as SDK_SCOPE, declarationRecord, gateDeclaration, resourceOf, type SessionContext } from '../../harness/agent-sdk/src/records.js';
import { logsRequest } from '../../harness/agent-sdk/src/otlp-json.js';
import { declarationLogRecord, HARNESS_SCOPE } from './declaration.js';

function telemetryCopy(session: SessionContext & { id: string }, atMs: number): DecodedRecord {
  const request = logsRequest([{ resource: resourceOf(session), scope: SDK_SCOPE, records: [declarationRecord(session, atMs)] }]);
  const [record] = decodeOtlp('logs', new TextEncoder().encode(JSON.stringify(request)), 'otlp_json');
  assert.ok(record);
  return record;
}

const sessions: (SessionContext & { id: string })[] = [
  { id: 's-full', agent: 'release-bot', goal: 'Bump the patch version', environment: 'dev', user: 'ana', scope: { allow: ['/srv/release/**'], deny: ['git://origin/refs/heads/main'] } },
  { id: 's-goal', agent: 'typo-bot', goal: 'fix the typo in README' },
  { id: 's-empty-lists', agent: 'a', scope: { allow: [], deny: [] } },
  { id: 's-nothing', agent: 'bare' },
];

for (const session of sessions) {
  test(`the gate's declaration record for ${session.id} is the harness's telemetry record`, () => {
    const atMs = 1_767_225_600_123;
    const fromTelemetry = telemetryCopy(session, atMs);
    const fromGate = declarationLogRecord(session.id, session.agent, gateDeclaration(session, atMs), 1n);
    assert.deepEqual(fromGate.scope, HARNESS_SCOPE);
    assert.equal(eventIdOf(fromGate), eventIdOf(fromTelemetry));
  });
}

test('a declaration without a time takes the clock, and differs from a record of another time', () => {
  const session = sessions[1]!;
  const withoutTime = declarationLogRecord(session.id, session.agent, { goal: session.goal }, 42n);
  assert.equal(withoutTime.timeUnixNano, '42');
  assert.notEqual(eventIdOf(withoutTime), eventIdOf(telemetryCopy(session, 1_767_225_600_123)));
});

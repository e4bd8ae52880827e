/**
 * The kill switch's policy on the session registry: a finding at the policy's revoke_at revokes
 * the session (registry marked, the service asked to revoke); one below it is only notified;
 * revocation records from anywhere reach the registry, and a revoked session keeps its first
 * revocation.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Finding } from '../../model/finding.js';
import type { ResolvedPolicy } from '../../detect/policy/policy-types.js';
import { defaultPolicy, resolve } from '../../detect/engine/index.js';
import { SessionRegistry } from '../../detect/session/session-registry.js';
import { FakeClock } from '../../lib/clock.js';
import { makeEvent } from '../../test/infra/clickhouse-events.js';
import type { RevocationAction, RevocationRecord, RevokeRequest } from './contracts.js';
import { applyRevocation, revokeOnFinding } from './session-revocations.js';

const policy: ResolvedPolicy = resolve(defaultPolicy(), 'acme', 'claude-code');

function finding(severity: Finding['severity']): Finding {
  return {
    id: `f-${severity}`, tenant: 'acme', session_id: 's1', agent_id: 'claude-code', detector: 'destructive_burst', severity, score: 0.9,
    title: 'rm -rf on a shared path', explanation: 'because', evidence: ['e1'], rule: 'destructive_burst/floor', target: '', why: '', instead: '', at: '2026-01-01T00:00:00.000000000Z',
  };
}

function setup(): { registry: SessionRegistry; notified: Finding[]; revoked: RevokeRequest[]; handler: ReturnType<typeof revokeOnFinding> } {
  const registry = new SessionRegistry({ clock: new FakeClock(Date.parse('2026-01-01T00:00:00Z')) });
  registry.observe(makeEvent({ tenant: 'acme', session_id: 's1', agent_id: 'claude-code' }));
  const notified: Finding[] = [];
  const revoked: RevokeRequest[] = [];
  const handler = revokeOnFinding(registry, {
    notifyFinding: async (f) => void notified.push(f),
    revoke: async (r) => {
      revoked.push(r);
      return null;
    },
  });
  return { registry, notified, revoked, handler };
}

test('a finding at revoke_at revokes: the registry is marked and the kill switch asked, naming the detector', async () => {
  const { registry, notified, revoked, handler } = setup();
  await handler(finding('critical'), registry.get('acme', 's1')!, policy);
  assert.equal(notified.length, 1);
  assert.equal(revoked.length, 1);
  assert.equal(revoked[0]!.by, 'detector:destructive_burst');
  assert.equal(registry.revocationOf('acme', 's1')?.finding_id, 'f-critical');
});

test('the registry is marked before the handler first waits: the gate answering the call that found it already sees the revocation', async () => {
  const { registry, handler } = setup();
  const running = handler(finding('critical'), registry.get('acme', 's1')!, policy);
  assert.equal(registry.revocationOf('acme', 's1')?.finding_id, 'f-critical');
  await running;
});

test('a finding below revoke_at is notified and revokes nothing', async () => {
  const { registry, notified, revoked, handler } = setup();
  await handler(finding('low'), registry.get('acme', 's1')!, policy);
  assert.equal(notified.length, 1);
  assert.equal(revoked.length, 0);
  assert.equal(registry.revocationOf('acme', 's1'), null);
});

test('revocation records reach the registry; the first revocation is kept; a reinstatement clears it', () => {
  const { registry } = setup();
  const apply = applyRevocation(registry);
  let seq = 0;
  const record = (action: RevocationAction, by: string, reason: string): RevocationRecord => ({
    seq: ++seq, at: `2026-01-01T00:00:0${seq}.000000000Z`, tenant: 'acme', session_id: 's1', action, by, reason, finding_id: null, prev_hash: '0'.repeat(64), hash: '0'.repeat(64),
  });
  apply(record('revoke', 'operator:kim', 'first'));
  apply(record('revoke', 'operator:lee', 'second'));
  assert.equal(registry.revocationOf('acme', 's1')?.reason, 'first');
  apply(record('reinstate', 'operator:kim', 'ok'));
  assert.equal(registry.revocationOf('acme', 's1'), null);
});

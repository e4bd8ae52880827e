/**
 * The manual kill switch and the hooks' verdict: revoke and reinstate (records, 409s, reasons
 * required, roles, actor named after the token), and the verdict answered from memory — revoked
 * sessions and policy blocks deny, everything else allows.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeEvent } from '../../../test/infra/clickhouse-events.js';
import { openOperatorFixture, TOKENS, type OperatorFixture } from '../../../test/helpers/operator-fixture.js';

const operator = { authorization: `Bearer ${TOKENS.acmeOperator}`, 'content-type': 'application/json' };
const ingest = { authorization: `Bearer ${TOKENS.acmeIngest}` };

let fx: OperatorFixture;

before(async () => {
  fx = await openOperatorFixture();
  const now = (BigInt(Date.now()) * 1_000_000n).toString();
  await fx.insertEvents([makeEvent({ event_id: 'x1', tenant: 'acme', session_id: 's-stored', agent_id: 'codex', user_id: 'carol', time_ns: now })]);
  fx.sessions.observe(makeEvent({ event_id: 'l1', tenant: 'acme', session_id: 's-live', agent_id: 'claude-code', user_id: 'dave', time_ns: now }));
});

after(async () => {
  await fx.close();
});

test('revoke answers the record, names the operator, and a second revoke is 409', async () => {
  const app = fx.app();
  const res = await app.inject({ method: 'POST', url: '/api/v1/sessions/s-live/revoke', headers: operator, payload: { reason: ' deleting prod namespaces ' } });
  assert.equal(res.statusCode, 200);
  const record = res.json();
  assert.equal(record.action, 'revoke');
  assert.equal(record.tenant, 'acme');
  assert.equal(record.session_id, 's-live');
  assert.equal(record.by, 'operator:alice');
  assert.equal(record.reason, 'deleting prod namespaces');
  assert.match(record.hash, /^[0-9a-f]{64}$/);
  assert.deepEqual(fx.revocations.revocationOf('acme', 's-live')?.by, 'operator:alice');

  const again = await app.inject({ method: 'POST', url: '/api/v1/sessions/s-live/revoke', headers: operator, payload: { reason: 'again' } });
  assert.equal(again.statusCode, 409);
  assert.equal(again.json().error.code, 'ALREADY_REVOKED');

  const session = (await app.inject({ method: 'GET', url: '/api/v1/sessions/s-live', headers: operator })).json();
  assert.equal(session.state, 'revoked');
  assert.equal(session.revoked.reason, 'deleting prod namespaces');
});

test('the verdict denies a revoked session and allows it again once reinstated', async () => {
  const app = fx.app();
  const revoked = await fx.revocations.revoke({ tenant: 'acme', sessionId: 's-stored', by: 'detector:destructive_burst', reason: '20 deletes in 4 s' });
  assert.ok(revoked);
  const denied = await app.inject({ method: 'GET', url: '/api/v1/sessions/s-stored/verdict?tool=Bash&command=ls', headers: ingest });
  assert.equal(denied.statusCode, 200);
  assert.equal(denied.json().allow, false);
  assert.match(denied.json().reason, /detector:destructive_burst.*20 deletes in 4 s/);

  const reinstated = await app.inject({ method: 'POST', url: '/api/v1/sessions/s-stored/reinstate', headers: operator, payload: { reason: 'false positive: a planned cleanup' } });
  assert.equal(reinstated.statusCode, 200);
  assert.equal(reinstated.json().action, 'reinstate');
  assert.equal(reinstated.json().prev_hash, revoked.hash);

  const allowed = await app.inject({ method: 'GET', url: '/api/v1/sessions/s-stored/verdict?tool=Bash&command=ls', headers: ingest });
  assert.deepEqual(allowed.json(), { allow: true, reason: 'session is active' });

  const notRevoked = await app.inject({ method: 'POST', url: '/api/v1/sessions/s-stored/reinstate', headers: operator, payload: { reason: 'twice' } });
  assert.equal(notRevoked.statusCode, 409);
  assert.equal(notRevoked.json().error.code, 'NOT_REVOKED');
});

test('a reason is required; unknown sessions are 404; roles are enforced', async () => {
  const app = fx.app();
  for (const payload of [{}, { reason: '' }, { reason: '   ' }, { why: 'no reason field' }]) {
    const res = await app.inject({ method: 'POST', url: '/api/v1/sessions/s-stored/reinstate', headers: operator, payload });
    assert.equal(res.statusCode, 400, JSON.stringify(payload));
    assert.equal(res.json().error.code, 'INVALID_REQUEST');
  }
  const unknown = await app.inject({ method: 'POST', url: '/api/v1/sessions/typo/revoke', headers: operator, payload: { reason: 'x' } });
  assert.equal(unknown.statusCode, 404);
  const reader = await app.inject({ method: 'POST', url: '/api/v1/sessions/s-stored/revoke', headers: { authorization: `Bearer ${TOKENS.acmeReader}` }, payload: { reason: 'x' } });
  assert.equal(reader.statusCode, 403);
  const otherTenant = await app.inject({ method: 'POST', url: '/api/v1/sessions/s-stored/revoke?tenant=globex', headers: operator, payload: { reason: 'x' } });
  assert.equal(otherTenant.statusCode, 403);
  assert.equal(fx.revocations.revocationOf('acme', 's-stored'), null);
});

test('the verdict applies the policy callback with the tool and command', async () => {
  const seen: string[][] = [];
  const app = fx.app({
    blockedBy: (tenant, sessionId, tool, command) => {
      seen.push([tenant, sessionId, tool, command]);
      return command.includes('terraform destroy') ? 'terraform destroy is never allowed in prod' : null;
    },
  });
  const blocked = await app.inject({ method: 'GET', url: `/api/v1/sessions/s-new/verdict?tool=Bash&command=${encodeURIComponent('terraform destroy -auto-approve')}`, headers: ingest });
  assert.deepEqual(blocked.json(), { allow: false, reason: 'Warden policy blocks this action: terraform destroy is never allowed in prod' });
  const fine = await app.inject({ method: 'GET', url: '/api/v1/sessions/s-new/verdict?tool=Write', headers: ingest });
  assert.equal(fine.json().allow, true);
  assert.deepEqual(seen, [
    ['acme', 's-new', 'Bash', 'terraform destroy -auto-approve'],
    ['acme', 's-new', 'Write', ''],
  ]);
});

test('the verdict needs the ingest role when a token is sent; without one it is the default tenant', async () => {
  const app = fx.app();
  await fx.revocations.revoke({ tenant: 'default', sessionId: 's-open', by: 'operator:root', reason: 'stop' });
  const open = await app.inject({ method: 'GET', url: '/api/v1/sessions/s-open/verdict' });
  assert.equal(open.json().allow, false);
  const reader = await app.inject({ method: 'GET', url: '/api/v1/sessions/s-open/verdict', headers: { authorization: `Bearer ${TOKENS.acmeReader}` } });
  assert.equal(reader.statusCode, 403);
});

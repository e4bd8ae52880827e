/**
 * When the gate's command floor stands aside: a declared scope that allows every target (and no
 * never-touch pattern matches), or a declared development/test environment whose action names
 * no other environment. Cases that must exempt and cases that must not.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AuditEvent } from '../../model/audit-event.js';
import { makeEvent } from '../../test/infra/clickhouse-events.js';
import { allowsEveryTarget, floorExemption } from './declared-scope.js';

const session = (over: { scope_allow?: string[]; scope_deny?: string[]; environment?: string } = {}) => ({ scope_allow: [], scope_deny: [], environment: '', ...over });
const action = (targets: string[], over: Partial<AuditEvent> = {}): AuditEvent => makeEvent({ targets, cwd: '/home/dev/repo', destructive: true, ...over });

test('a declared scope that allows every target exempts; one target outside it, a never-touch match, or no targets do not', () => {
  const s = session({ scope_allow: ['k8s://*/e2e-*'] });
  assert.equal(allowsEveryTarget(s, action(['k8s://current/e2e-pr-4411'])), true);
  assert.match(floorExemption(s, action(['k8s://current/e2e-pr-4411'])) ?? '', /declared a scope/);
  assert.equal(allowsEveryTarget(s, action(['k8s://current/e2e-pr-4411', 'k8s://current/prod'])), false);
  assert.equal(allowsEveryTarget({ ...s, scope_deny: ['k8s://*/e2e-pr-4411'] }, action(['k8s://current/e2e-pr-4411'])), false);
  assert.equal(allowsEveryTarget(s, action([])), false);
  assert.equal(allowsEveryTarget(session(), action(['k8s://current/e2e-pr-4411'])), false);
});

test('a declared dev or test environment exempts unless a target names production or staging; no or a production environment does not', () => {
  const push = action(['git://origin/refs/heads/main']);
  assert.match(floorExemption(session({ environment: 'dev' }), push) ?? '', /development environment/);
  assert.match(floorExemption(session({ environment: 'e2e' }), push) ?? '', /test environment/);
  assert.equal(floorExemption(session({ environment: 'dev' }), action(['db://prod-db/orders'])), null);
  assert.equal(floorExemption(session({ environment: 'dev' }), action(['aws://current/us-east-1/s3/staging-assets'])), null);
  assert.equal(floorExemption(session({ environment: 'production' }), push), null);
  assert.equal(floorExemption(session({ environment: 'staging' }), push), null);
  assert.equal(floorExemption(session(), push), null);
});

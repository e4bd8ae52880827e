/**
 * End to end, embedded mode, detection and the kill switch through main's wiring: a burst of
 * destructive commands sent over OTLP/HTTP revokes the session, a signed `session.revoked`
 * webhook reaches a local receiver (verified with the standardwebhooks library), and the
 * session's next action is reported as post-revocation activity. A session of ordinary work
 * next to it is left alone.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWarden, type TestWarden } from '../helpers/test-warden.js';
import { waitFor } from '../helpers/wait-for.js';
import { encodeOtlp } from '../../decode/otlp/index.js';
import { toolSpan } from '../helpers/tool-span.js';
import { WebhookReceiver } from '../../respond/kill-switch/webhook-receiver.js';
import { generateWebhookSecret } from '../../config/webhook-endpoints.js';

let warden: TestWarden;
let receiver: WebhookReceiver;

before(async () => {
  const secret = generateWebhookSecret();
  receiver = await WebhookReceiver.start({ secret });
  warden = await startTestWarden({ WARDEN_WEBHOOK_URL: receiver.url, WARDEN_WEBHOOK_SECRET: secret });
});
after(async () => {
  await warden?.cleanup();
  await receiver?.stop();
});

async function send(sessionId: string, command: string): Promise<void> {
  const res = await fetch(`${warden.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: encodeOtlp('traces', [toolSpan(sessionId, command)], 'otlp_proto') });
  assert.equal(res.status, 200);
}

test('a destructive burst revokes the session and a signed webhook is delivered', async () => {
  for (const dir of ['/var/lib/postgresql', '/srv/backups', '/home/dev/.ssh', '/etc/nginx', '/opt/data']) await send('burst-1', `rm -rf ${dir}`);
  for (const command of ['git status', 'npm test', 'ls -la']) await send('calm-1', command);

  await waitFor(async () => receiver.received.length, (n) => n >= 1, { what: 'the session.revoked webhook' });
  const hook = receiver.received[0]!;
  assert.equal(hook.verifyError, undefined);
  const payload = hook.verified as { type: string; data: { session_id: string; revoked_by: string; finding: { detector: string } } };
  assert.equal(payload.type, 'session.revoked');
  assert.equal(payload.data.session_id, 'burst-1');
  assert.match(payload.data.revoked_by, /^detector:/);

  assert.equal(warden.detection.registry.get('default', 'burst-1')?.state, 'revoked');
  assert.equal(warden.detection.killSwitch.service.verdict('default', 'burst-1').allow, false);
  assert.equal(warden.detection.killSwitch.service.verdict('default', 'calm-1').allow, true);

  // Anything the revoked session still does is critical.
  await send('burst-1', 'ls');
  const findings = await waitFor(
    async () => {
      const result = await warden.storage.client.query({ query: "SELECT detector, severity FROM findings WHERE session_id = 'burst-1'", format: 'JSONEachRow' });
      return result.json<{ detector: string; severity: string }>();
    },
    (rows) => rows.some((r) => r.detector === 'post_revocation_activity'),
    { what: 'the post-revocation finding in ClickHouse' },
  );
  assert.ok(findings.some((r) => r.detector === 'post_revocation_activity' && r.severity === 'critical'));
  assert.equal(receiver.received.filter((r) => (r.verified as { data: { session_id: string } }).data.session_id === 'calm-1').length, 0);
});

/**
 * The revocation service end to end over real files and a real local webhook receiver: revoke
 * and reinstate record who and why, flip the verdict, call onStateChange and deliver verifiable
 * webhooks with the documented payload (README, "Detection and the kill switch"); revocations survive a restart (the map is rebuilt from the
 * log); a revocation made while the receiver is down is delivered after Warden restarts;
 * concurrent revokes record one revocation; remote records apply; publishing is best effort.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { FakeClock, systemClock, type Clock } from '../../lib/clock.js';
import { silentLogger } from '../../lib/logger.js';
import { Metrics } from '../../lib/metrics.js';
import type { Finding } from '../../model/finding.js';
import type { RevocationRecord } from './contracts.js';
import { openKillSwitch, type KillSwitch, type OpenKillSwitchOptions } from './open-kill-switch.js';
import type { StateOrigin } from './revocation-service.js';
import { ManualScheduler } from './schedule.js';
import { verifyLog } from './verify-log.js';
import { generateWebhookSecret, loadWebhookEndpoints, type WebhookEndpoint } from '../../config/webhook-endpoints.js';
import { WebhookReceiver } from './webhook-receiver.js';

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'warden-killswitch-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

const finding: Finding = {
  id: 'fnd_1', tenant: 'acme', session_id: 'sess-1', agent_id: 'claude-code', detector: 'destructive_burst', severity: 'critical',
  score: 0.97, title: '20 destructive commands in 8 s', explanation: '20 > 5 in 10 s', evidence: ['ev1', 'ev2'], rule: 'destructive_burst/floor', target: '', why: '', instead: '', at: '2026-01-01T00:00:00.000000000Z',
};

interface Harness {
  ks: KillSwitch;
  changes: Array<[RevocationRecord, StateOrigin]>;
}

async function open(dataDir: string, endpoints: readonly WebhookEndpoint[], extra: Partial<OpenKillSwitchOptions> = {}, clock: Clock = systemClock): Promise<Harness> {
  const changes: Array<[RevocationRecord, StateOrigin]> = [];
  const ks = await openKillSwitch({ dataDir, endpoints, clock, logger: silentLogger, metrics: new Metrics(), onStateChange: (r, o) => changes.push([r, o]), ...extra });
  cleanups.push(() => ks.close());
  return { ks, changes };
}

async function receiver(secret: string, port?: number): Promise<WebhookReceiver> {
  const rx = await WebhookReceiver.start({ secret, port });
  cleanups.push(() => rx.stop());
  return rx;
}

const endpointsFor = (rx: WebhookReceiver, secret: string): WebhookEndpoint[] => loadWebhookEndpoints({ WARDEN_WEBHOOK_URL: rx.url, WARDEN_WEBHOOK_SECRET: secret });

describe('RevocationService', () => {
  it('revoke: record, verdict, onStateChange, and a verified session.revoked webhook with the documented payload', async () => {
    const secret = generateWebhookSecret();
    const rx = await receiver(secret);
    const { ks, changes } = await open(join(root, 'revoke'), endpointsFor(rx, secret));
    assert.deepEqual(ks.service.verdict('acme', 'sess-1'), { allow: true, reason: 'session not revoked' });
    const record = await ks.service.revoke({ tenant: 'acme', sessionId: 'sess-1', userId: 'dev@acme', by: 'detector:destructive_burst', reason: 'destructive_burst reported critical', finding });
    assert.ok(record);
    assert.equal(record.action, 'revoke');
    assert.equal(record.finding_id, 'fnd_1');
    assert.deepEqual(changes, [[record, 'local']]);
    assert.deepEqual(ks.service.revocationOf('acme', 'sess-1'), { at: record.at, by: 'detector:destructive_burst', reason: 'destructive_burst reported critical', finding_id: 'fnd_1' });
    assert.deepEqual(ks.service.verdict('acme', 'sess-1'), { allow: false, reason: `session revoked by detector:destructive_burst at ${record.at}: destructive_burst reported critical` });
    assert.equal(ks.service.revocationOf('other-tenant', 'sess-1'), null);
    await ks.outbox.whenIdle();
    assert.equal(rx.received.length, 1);
    const got = rx.received[0]!;
    assert.equal(got.verifyError, undefined);
    assert.deepEqual(got.verified, {
      type: 'session.revoked', timestamp: record.at,
      data: { tenant: 'acme', session_id: 'sess-1', agent_id: 'claude-code', user: 'dev@acme', reason: 'destructive_burst reported critical', revoked_by: 'detector:destructive_burst', finding },
    });
    assert.equal(await ks.service.revoke({ tenant: 'acme', sessionId: 'sess-1', by: 'operator:kim', reason: 'again' }), null, 'already revoked');
  });

  it('an operator\'s reason is redacted before it is recorded or sent', async () => {
    const secret = generateWebhookSecret();
    const rx = await receiver(secret);
    const { ks } = await open(join(root, 'reason-redacted'), endpointsFor(rx, secret));
    const token = 'ghp_' + 'Op3ratorPastedT0kenVq8Lm2Pz9Rt4Vw8Yb1';
    const record = await ks.service.revoke({ tenant: 'acme', sessionId: 'sess-r', by: 'operator:kim', reason: `leaked ${token} in a commit` });
    assert.equal(record?.reason, 'leaked [REDACTED:github_token] in a commit');
    const back = await ks.service.reinstate({ tenant: 'acme', sessionId: 'sess-r', by: 'operator:kim', reason: `rotated PGPASSWORD=hunter2x` });
    assert.equal(back?.reason, 'rotated PGPASSWORD=[REDACTED:password_assignment]');
    await ks.outbox.whenIdle();
    const { readFile } = await import('node:fs/promises');
    const stored = await readFile(ks.log.file, 'utf8');
    for (const text of [stored, ...rx.received.map((r) => r.body)]) {
      assert.equal(text.includes(token), false, text);
      assert.equal(text.includes('hunter2x'), false, text);
    }
  });

  it('reinstate: recorded, verdict allows again, session.reinstated webhook; reinstating an active session is null', async () => {
    const secret = generateWebhookSecret();
    const rx = await receiver(secret);
    const { ks, changes } = await open(join(root, 'reinstate'), endpointsFor(rx, secret));
    assert.equal(await ks.service.reinstate({ tenant: 'acme', sessionId: 'sess-2', by: 'operator:kim', reason: 'x' }), null);
    await ks.service.revoke({ tenant: 'acme', sessionId: 'sess-2', agentId: 'codex', by: 'operator:kim', reason: 'manual stop' });
    const r = await ks.service.reinstate({ tenant: 'acme', sessionId: 'sess-2', by: 'operator:lee', reason: 'false positive, checked the plan' });
    assert.equal(r?.action, 'reinstate');
    assert.equal(ks.service.verdict('acme', 'sess-2').allow, true);
    assert.deepEqual(changes.map(([c, o]) => [c.action, o]), [['revoke', 'local'], ['reinstate', 'local']]);
    await ks.outbox.whenIdle();
    const bodies = rx.received.map((x) => x.verified as { type: string; data: Record<string, unknown> });
    assert.deepEqual(bodies.map((b) => b.type), ['session.revoked', 'session.reinstated']);
    assert.equal(bodies[0]!.data.finding, null);
    assert.deepEqual(bodies[1]!.data, { tenant: 'acme', session_id: 'sess-2', agent_id: 'codex', user: '', reason: 'false positive, checked the plan', reinstated_by: 'operator:lee' });
    assert.equal(new Set(rx.received.map((x) => x.id)).size, 2);
    const v = await verifyLog(ks.log.file);
    assert.deepEqual(v, { ok: true, records: 2 });
  });

  it('concurrent revokes of one session record one revocation and send one webhook', async () => {
    const secret = generateWebhookSecret();
    const rx = await receiver(secret);
    const { ks } = await open(join(root, 'concurrent'), endpointsFor(rx, secret));
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => ks.service.revoke({ tenant: 'acme', sessionId: 'race', by: `operator:o${i}`, reason: 'stop' })));
    assert.equal(results.filter((r) => r !== null).length, 1);
    await ks.outbox.whenIdle();
    assert.equal(rx.received.length, 1);
  });

  it('revocations survive a restart: the map is rebuilt from the log (last action per session wins)', async () => {
    const dataDir = join(root, 'restart-map');
    const first = await open(dataDir, []);
    await first.ks.service.revoke({ tenant: 'acme', sessionId: 'a', by: 'operator:kim', reason: 'stop a' });
    await first.ks.service.revoke({ tenant: 'acme', sessionId: 'b', by: 'operator:kim', reason: 'stop b' });
    await first.ks.service.reinstate({ tenant: 'acme', sessionId: 'b', by: 'operator:kim', reason: 'ok b' });
    await first.ks.service.revoke({ tenant: 'beta', sessionId: 'a', by: 'detector:scope_drift', reason: 'drift' });
    await first.ks.close();
    const second = await open(dataDir, []);
    assert.equal(second.ks.service.revokedCount(), 2);
    assert.equal(second.ks.service.verdict('acme', 'a').allow, false);
    assert.match(second.ks.service.verdict('acme', 'a').reason, /^session revoked by operator:kim at .*: stop a$/);
    assert.equal(second.ks.service.verdict('acme', 'b').allow, true);
    assert.equal(second.ks.service.revocationOf('beta', 'a')?.by, 'detector:scope_drift');
    assert.equal(await second.ks.service.revoke({ tenant: 'acme', sessionId: 'a', by: 'operator:kim', reason: 'again' }), null);
    const r = await second.ks.service.reinstate({ tenant: 'acme', sessionId: 'a', by: 'operator:kim', reason: 'done' });
    assert.equal(r?.seq, 5);
    assert.deepEqual(await verifyLog(second.ks.log.file), { ok: true, records: 5 });
  });

  it('revoked while the receiver is down, Warden restarted, receiver back: the webhook arrives once', async () => {
    const secret = generateWebhookSecret();
    const probe = await WebhookReceiver.start({ secret });
    const port = probe.port;
    const endpoints = endpointsFor(probe, secret);
    await probe.stop();
    const clock = new FakeClock(Date.now());
    const dataDir = join(root, 'restart-webhook');
    let scheduler = new ManualScheduler(clock);
    const first = await open(dataDir, endpoints, { schedule: scheduler.schedule, random: () => 0.5 }, clock);
    const record = await first.ks.service.revoke({ tenant: 'acme', sessionId: 's', by: 'detector:intent_mismatch', reason: 'did not match', finding });
    await first.ks.outbox.whenIdle();
    await scheduler.advance(20_000);
    assert.equal(first.ks.outbox.pendingCount(), 1);
    await first.ks.close();

    const rx = await receiver(secret, port);
    const restarted: { h?: Harness } = {};
    scheduler = new ManualScheduler(clock, async () => {
      await new Promise((resolve) => setImmediate(resolve));
      await restarted.h?.ks.outbox.whenIdle();
    });
    const second = (restarted.h = await open(dataDir, endpoints, { schedule: scheduler.schedule, random: () => 0.5 }, clock));
    assert.equal(second.ks.service.verdict('acme', 's').allow, false, 'still revoked after the restart');
    await scheduler.advance(60_000);
    assert.equal(second.ks.outbox.pendingCount(), 0);
    assert.equal(rx.received.length, 1);
    const got = rx.received[0]!;
    assert.equal(got.verifyError, undefined);
    assert.equal((got.verified as { timestamp: string }).timestamp, record!.at);
  });

  it('publishes to the revocation topic without waiting on it, and a failing publisher does not fail the revoke', async () => {
    const published: RevocationRecord[] = [];
    const ok = await open(join(root, 'publish'), [], { publisher: { publish: async (r) => void published.push(r) } });
    const r = await ok.ks.service.revoke({ tenant: 'acme', sessionId: 'p', by: 'operator:kim', reason: 'x' });
    assert.deepEqual(published, [r]);
    const metrics = new Metrics();
    const failing = await open(join(root, 'publish-fail'), [], { metrics, publisher: { publish: () => Promise.reject(new Error('broker down')) } });
    assert.ok(await failing.ks.service.revoke({ tenant: 'acme', sessionId: 'p', by: 'operator:kim', reason: 'x' }));
    await new Promise((resolve) => setImmediate(resolve));
    assert.match(await metrics.registry.metrics(), /warden_errors_total\{stage="revocation_topic",code="PUBLISH_FAILED"\} 1/);
  });

  it('applies records from other instances; ignores ones whose hash does not match', async () => {
    const other = await open(join(root, 'other'), []);
    const remoteRevoke = (await other.ks.service.revoke({ tenant: 'acme', sessionId: 'r', by: 'operator:kim', reason: 'elsewhere' }))!;
    const remoteReinstate = (await other.ks.service.reinstate({ tenant: 'acme', sessionId: 'r', by: 'operator:kim', reason: 'fine' }))!;
    const here = await open(join(root, 'here'), []);
    assert.equal(here.ks.service.applyRemote({ ...remoteRevoke, reason: 'forged' }), false);
    assert.equal(here.ks.service.verdict('acme', 'r').allow, true);
    assert.equal(here.ks.service.applyRemote(remoteRevoke), true);
    assert.equal(here.ks.service.applyRemote(remoteRevoke), false, 'applying twice changes nothing');
    assert.equal(here.ks.service.verdict('acme', 'r').allow, false);
    assert.deepEqual(here.changes, [[remoteRevoke, 'remote']]);
    assert.equal(here.ks.service.applyRemote(remoteReinstate), true);
    assert.equal(here.ks.service.verdict('acme', 'r').allow, true);
    assert.deepEqual(await verifyLog(here.ks.log.file), { ok: true, records: 0 }, 'remote records are not written to the local log');
  });

  it('finding.created goes only to endpoints that opted in', async () => {
    const secret = generateWebhookSecret();
    const rxAll = await receiver(secret);
    const rxDefault = await receiver(secret);
    const yaml = `endpoints:\n  - {name: all, url: "${rxAll.url}", secret_env: S, events: [session.revoked, finding.created]}\n  - {name: plain, url: "${rxDefault.url}", secret_env: S}\n`;
    const endpoints = loadWebhookEndpoints({ WARDEN_WEBHOOKS_FILE: 'w.yaml', S: secret }, () => yaml);
    const { ks } = await open(join(root, 'finding'), endpoints);
    await ks.service.notifyFinding(finding);
    await ks.outbox.whenIdle();
    assert.deepEqual(rxAll.received.map((r) => r.verified), [{ type: 'finding.created', timestamp: finding.at, data: finding }]);
    assert.equal(rxDefault.received.length, 0);
  });
});

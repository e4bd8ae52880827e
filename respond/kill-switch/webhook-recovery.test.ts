/**
 * The recovery pass at open, over a real data directory and real local webhook receivers that
 * verify Standard Webhooks signatures. A crash between the log's fsync and the outbox's write is
 * played by appending through the real RevocationLog with no outbox (or by cutting the outbox
 * file back to before the revocation); reopening the kill switch must deliver the missing
 * webhook exactly once, with the webhook-id the record would have had, and a restart with
 * nothing missing must send nothing. Retries run on a FakeClock through a ManualScheduler.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { FakeClock } from '../../lib/clock.js';
import { silentLogger } from '../../lib/logger.js';
import { Metrics } from '../../lib/metrics.js';
import { rfc3339Ns } from '../../lib/rfc3339.js';
import { waitFor } from '../../test/helpers/wait-for.js';
import type { RevocationRecord } from './contracts.js';
import { openKillSwitch, type KillSwitch, type OpenKillSwitchOptions } from './open-kill-switch.js';
import { OUTBOX_FILE } from './outbox-store.js';
import type { RevocationEntry } from './record-chain.js';
import { REVOCATION_LOG_FILE, RevocationLog } from './revocation-log.js';
import { ManualScheduler } from './schedule.js';
import { generateWebhookSecret, loadWebhookEndpoints, type WebhookEndpoint } from '../../config/webhook-endpoints.js';
import { webhookId } from './webhook-outbox.js';
import { WebhookReceiver } from './webhook-receiver.js';
import { recoverWebhooks } from './webhook-recovery.js';

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'warden-recovery-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

const TEN_MINUTES = 10 * 60_000;

interface Opened {
  ks: KillSwitch;
  scheduler: ManualScheduler;
  metrics: Metrics;
}

/** Starts "Warden's" kill switch over `dataDir`; the scheduler settles until no attempt is in flight. */
async function open(dataDir: string, endpoints: readonly WebhookEndpoint[], clock: FakeClock, extra: Partial<OpenKillSwitchOptions> = {}): Promise<Opened> {
  const current: { ks?: KillSwitch } = {};
  const scheduler = new ManualScheduler(clock, async () => {
    await new Promise((resolve) => setImmediate(resolve));
    await current.ks?.outbox.whenIdle();
  });
  const metrics = new Metrics();
  const ks = await openKillSwitch({ dataDir, endpoints, clock, logger: silentLogger, metrics, schedule: scheduler.schedule, random: () => 0.5, ...extra });
  current.ks = ks;
  cleanups.push(() => ks.close());
  return { ks, scheduler, metrics };
}

/** The crash: the record reaches the log (fsync'd, through the real API) and the outbox never hears of it. */
async function appendWithoutOutbox(dataDir: string, clock: FakeClock, entry: Omit<RevocationEntry, 'at' | 'finding_id'> & { finding_id?: string }): Promise<RevocationRecord> {
  const log = await RevocationLog.open({ file: join(dataDir, REVOCATION_LOG_FILE), logger: silentLogger });
  try {
    return await log.append({ at: rfc3339Ns(clock.nowNs()), finding_id: null, ...entry });
  } finally {
    await log.close();
  }
}

async function receiver(secret: string, port?: number): Promise<WebhookReceiver> {
  const rx = await WebhookReceiver.start({ secret, port });
  cleanups.push(() => rx.stop());
  return rx;
}

const endpointFor = (url: string, secret: string): WebhookEndpoint[] => loadWebhookEndpoints({ WARDEN_WEBHOOK_URL: url, WARDEN_WEBHOOK_SECRET: secret });

function endpointsNamed(secret: string, list: Array<[name: string, rx: WebhookReceiver]>): WebhookEndpoint[] {
  const yaml = `endpoints:\n${list.map(([name, rx]) => `  - {name: ${name}, url: "${rx.url}", secret_env: S}\n`).join('')}`;
  return loadWebhookEndpoints({ WARDEN_WEBHOOKS_FILE: 'webhooks.yaml', S: secret }, () => yaml);
}

const revokedId = (record: RevocationRecord, endpoint = 'default'): string => webhookId('session.revoked', record.hash, endpoint);

function deliveredOnce(rx: WebhookReceiver, id: string): Promise<number> {
  return waitFor(async () => rx.successes().get(id) ?? 0, (n) => n >= 1, { what: `webhook ${id} at the receiver` });
}

describe('webhook recovery at open', () => {
  it('crash after the log append, before the outbox write: the webhook is sent on reopen, exactly once, with the id it would have had', async () => {
    const secret = generateWebhookSecret();
    const rx = await receiver(secret);
    const endpoints = endpointFor(rx.url, secret);
    const clock = new FakeClock(Date.now());
    const dataDir = join(root, 'crash');

    const first = await open(dataDir, endpoints, clock);
    assert.deepEqual({ ...first.ks.recovery, since: undefined }, { since: undefined, scanned: 0, records: 0, messages: 0, failed: 0 });
    const delivered = (await first.ks.service.revoke({ tenant: 'acme', sessionId: 'before', by: 'operator:kim', reason: 'stop' }))!;
    await deliveredOnce(rx, revokedId(delivered));
    await first.ks.close();

    clock.advance(1_000);
    const lost = await appendWithoutOutbox(dataDir, clock, { tenant: 'acme', session_id: 'crashed', action: 'revoke', by: 'detector:destructive_burst', reason: 'destructive_burst reported critical', finding_id: 'fnd_9' });

    const second = await open(dataDir, endpoints, clock);
    assert.equal(second.ks.service.verdict('acme', 'crashed').allow, false, 'the revocation itself stood all along');
    assert.deepEqual(second.ks.recovery, { since: clock.now() - 1_000, scanned: 2, records: 1, messages: 1, failed: 0 });
    await deliveredOnce(rx, revokedId(lost));
    await second.scheduler.advance(TEN_MINUTES);
    const got = rx.received.find((r) => r.id === revokedId(lost))!;
    assert.equal(got.verifyError, undefined);
    assert.deepEqual(got.verified, {
      type: 'session.revoked', timestamp: lost.at,
      data: { tenant: 'acme', session_id: 'crashed', agent_id: '', user: '', reason: 'destructive_burst reported critical', revoked_by: 'detector:destructive_burst', finding: null },
    });
    assert.deepEqual([...rx.attempts()].sort(), [[revokedId(delivered), 1], [revokedId(lost), 1]].sort());
    assert.match(await second.metrics.registry.metrics(), /warden_webhook_recovered_total\{endpoint="default",type="session.revoked"\} 1/);

    const again = await recoverWebhooks({ records: second.ks.log.loaded, outbox: second.ks.outbox, logger: silentLogger, metrics: second.metrics });
    assert.deepEqual({ records: again.records, messages: again.messages }, { records: 0, messages: 0 }, 'a second pass adds nothing');
    await second.ks.close();

    clock.advance(60_000);
    const third = await open(dataDir, endpoints, clock);
    assert.deepEqual({ ...third.ks.recovery, since: undefined }, { since: undefined, scanned: 2, records: 0, messages: 0, failed: 0 });
    await third.scheduler.advance(TEN_MINUTES);
    assert.equal(rx.received.length, 2, 'nothing is sent again after the next restart');
  });

  it('outbox cut back to before a revoke and reinstate (receiver down meanwhile): both are sent once on reopen', async () => {
    const secret = generateWebhookSecret();
    const probe = await WebhookReceiver.start({ secret });
    const port = probe.port;
    const endpoints = endpointFor(probe.url, secret);
    await probe.stop(); // nothing listens: the first attempts are refused
    const clock = new FakeClock(Date.now());
    const dataDir = join(root, 'truncated');

    const first = await open(dataDir, endpoints, clock);
    const outboxFile = join(dataDir, OUTBOX_FILE);
    const sizeBefore = (await stat(outboxFile)).size;
    const revoked = (await first.ks.service.revoke({ tenant: 'acme', sessionId: 's', agentId: 'codex', by: 'operator:kim', reason: 'stop' }))!;
    clock.advance(10);
    const reinstated = (await first.ks.service.reinstate({ tenant: 'acme', sessionId: 's', by: 'operator:lee', reason: 'checked' }))!;
    await first.ks.outbox.whenIdle();
    assert.equal(first.ks.outbox.pendingCount(), 2);
    await first.ks.close();
    await truncate(outboxFile, sizeBefore);

    const rx = await receiver(secret, port);
    const second = await open(dataDir, endpoints, clock);
    assert.equal(second.ks.recovery.messages, 2);
    const reinstatedId = webhookId('session.reinstated', reinstated.hash, 'default');
    await deliveredOnce(rx, revokedId(revoked));
    await deliveredOnce(rx, reinstatedId);
    await second.scheduler.advance(TEN_MINUTES);
    const byId = (id: string) => rx.received.filter((r) => r.id === id).map((r) => [r.status, r.verifyError, (r.verified as { type: string }).type]);
    assert.equal(rx.received.length, 2);
    assert.deepEqual(byId(revokedId(revoked)), [[200, undefined, 'session.revoked']]);
    assert.deepEqual(byId(reinstatedId), [[200, undefined, 'session.reinstated']]);
    assert.equal(second.ks.outbox.pendingCount(), 0);
  });

  it('a normal restart with nothing missing sends nothing: delivered and abandoned messages are recognised', async () => {
    const secret = generateWebhookSecret();
    const rx = await receiver(secret);
    const endpoints = endpointFor(rx.url, secret);
    const clock = new FakeClock(Date.now());
    const dataDir = join(root, 'normal-restart');

    const first = await open(dataDir, endpoints, clock);
    await first.ks.service.revoke({ tenant: 'acme', sessionId: 'a', by: 'operator:kim', reason: 'stop a' });
    await first.ks.service.revoke({ tenant: 'acme', sessionId: 'b', by: 'operator:kim', reason: 'stop b' });
    await first.ks.service.reinstate({ tenant: 'acme', sessionId: 'b', by: 'operator:kim', reason: 'ok b' });
    rx.status = 410; // the receiver refuses this one for good: abandoned, must not come back
    await first.ks.service.revoke({ tenant: 'acme', sessionId: 'c', by: 'operator:kim', reason: 'stop c' });
    await first.ks.outbox.whenIdle();
    rx.status = 200;
    assert.equal(first.ks.outbox.pendingCount(), 0);
    await first.ks.close();
    const sent = rx.received.length;
    assert.equal(sent, 4);

    for (const pause of [1_000, 24 * 3600_000]) {
      clock.advance(pause);
      const next = await open(dataDir, endpoints, clock);
      assert.deepEqual({ ...next.ks.recovery, since: undefined }, { since: undefined, scanned: 4, records: 0, messages: 0, failed: 0 });
      assert.equal(next.ks.outbox.pendingCount(), 0);
      await next.scheduler.advance(TEN_MINUTES);
      await next.ks.close();
    }
    assert.equal(rx.received.length, sent, 'no request after either restart');
  });

  it('bounded by the outbox history: older records are not looked at, and forgotten deliveries are not re-sent', async () => {
    const secret = generateWebhookSecret();
    const rx = await receiver(secret);
    const endpoints = endpointFor(rx.url, secret);
    const clock = new FakeClock(Date.now());
    const dataDir = join(root, 'bounded');
    // Minutes, not days: the receiver checks webhook-timestamp against real time (5 min tolerance).
    const window = 60_000;

    const first = await open(dataDir, endpoints, clock, { webhookHistoryMs: window });
    const old = (await first.ks.service.revoke({ tenant: 'acme', sessionId: 'old', by: 'operator:kim', reason: 'stop' }))!;
    await deliveredOnce(rx, revokedId(old));
    await first.ks.close();
    const oldLost = await appendWithoutOutbox(dataDir, clock, { tenant: 'acme', session_id: 'old-lost', action: 'revoke', by: 'operator:kim', reason: 'stop' });

    clock.advance(2 * window);
    const recent = await appendWithoutOutbox(dataDir, clock, { tenant: 'acme', session_id: 'recent', action: 'revoke', by: 'operator:kim', reason: 'stop' });
    const second = await open(dataDir, endpoints, clock, { webhookHistoryMs: window });
    assert.deepEqual(second.ks.recovery, { since: clock.now() - window, scanned: 1, records: 1, messages: 1, failed: 0 });
    assert.equal(second.ks.outbox.knows(revokedId(old)), false, 'the delivery is older than the history and forgotten');
    await deliveredOnce(rx, revokedId(recent));
    await second.scheduler.advance(TEN_MINUTES);
    assert.deepEqual([...rx.attempts()].sort(), [[revokedId(old), 1], [revokedId(recent), 1]].sort());
    assert.equal(rx.attempts().has(revokedId(oldLost)), false, 'beyond what the outbox can vouch for');
  });

  it('per endpoint: a new endpoint gets no older events; a crash after it was added reaches every endpoint', async () => {
    const secret = generateWebhookSecret();
    const rxA = await receiver(secret);
    const rxB = await receiver(secret);
    const clock = new FakeClock(Date.now());
    const dataDir = join(root, 'endpoints');

    const onlyA = endpointsNamed(secret, [['a', rxA]]);
    const first = await open(dataDir, onlyA, clock);
    const early = (await first.ks.service.revoke({ tenant: 'acme', sessionId: 'early', by: 'operator:kim', reason: 'stop' }))!;
    await deliveredOnce(rxA, revokedId(early, 'a'));
    await first.ks.close();
    clock.advance(1_000);
    const lostBefore = await appendWithoutOutbox(dataDir, clock, { tenant: 'acme', session_id: 'lost-1', action: 'revoke', by: 'operator:kim', reason: 'stop' });

    clock.advance(1_000);
    const both = endpointsNamed(secret, [['a', rxA], ['b', rxB]]);
    const second = await open(dataDir, both, clock);
    assert.equal(second.ks.recovery.messages, 1, 'only endpoint a was subscribed when lost-1 was recorded');
    await deliveredOnce(rxA, revokedId(lostBefore, 'a'));
    await second.ks.close();

    clock.advance(1_000);
    const lostAfter = await appendWithoutOutbox(dataDir, clock, { tenant: 'acme', session_id: 'lost-2', action: 'revoke', by: 'operator:kim', reason: 'stop' });
    const third = await open(dataDir, both, clock);
    assert.equal(third.ks.recovery.messages, 2);
    await deliveredOnce(rxA, revokedId(lostAfter, 'a'));
    await deliveredOnce(rxB, revokedId(lostAfter, 'b'));
    await third.scheduler.advance(TEN_MINUTES);
    assert.deepEqual([...rxA.attempts().values()], [1, 1, 1]);
    assert.deepEqual([...rxB.attempts()], [[revokedId(lostAfter, 'b'), 1]]);
  });

  it('a first start over an existing log (no outbox yet) cannot vouch for older records and sends nothing', async () => {
    const secret = generateWebhookSecret();
    const rx = await receiver(secret);
    const clock = new FakeClock(Date.now());
    const dataDir = join(root, 'no-outbox');
    await appendWithoutOutbox(dataDir, clock, { tenant: 'acme', session_id: 'x', action: 'revoke', by: 'operator:kim', reason: 'stop' });
    clock.advance(1);
    const { ks, scheduler } = await open(dataDir, endpointFor(rx.url, secret), clock);
    assert.deepEqual(ks.recovery, { since: clock.now(), scanned: 0, records: 0, messages: 0, failed: 0 });
    await scheduler.advance(TEN_MINUTES);
    assert.equal(rx.received.length, 0);
  });

  it('without endpoints there is nothing to recover', async () => {
    const clock = new FakeClock(Date.now());
    const dataDir = join(root, 'no-endpoints');
    const first = await open(dataDir, [], clock);
    await first.ks.service.revoke({ tenant: 'acme', sessionId: 'x', by: 'operator:kim', reason: 'stop' });
    await first.ks.close();
    const second = await open(dataDir, [], clock);
    assert.deepEqual(second.ks.recovery, { since: Number.POSITIVE_INFINITY, scanned: 0, records: 0, messages: 0, failed: 0 });
  });
});

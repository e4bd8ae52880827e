/**
 * The durable webhook outbox against real local HTTP receivers, with retries driven by a
 * FakeClock and a ManualScheduler: signatures verify with the standardwebhooks library; a
 * receiver down for a simulated minute still gets every message once per webhook-id; messages
 * enqueued while the receiver is down survive closing and reopening the outbox; 4xx abandons,
 * 408/429 retry, too old abandons; compaction keeps the pending ones; finished (delivered or
 * abandoned) ids are remembered across restarts for the history window, so the same event is
 * never sent twice, and `enqueueMissed` only fills in for endpoints subscribed at the event's time.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { FakeClock } from '../../lib/clock.js';
import { silentLogger } from '../../lib/logger.js';
import { Metrics } from '../../lib/metrics.js';
import { ManualScheduler } from './schedule.js';
import { generateWebhookSecret, loadWebhookEndpoints, type WebhookEndpoint } from '../../config/webhook-endpoints.js';
import { WebhookOutbox, webhookId, type WebhookOutboxOptions } from './webhook-outbox.js';
import { WebhookReceiver } from './webhook-receiver.js';
import { createHttpWebhookSender, type WebhookSender } from './webhook-sender.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'warden-outbox-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Rig {
  clock: FakeClock;
  scheduler: ManualScheduler;
  outbox: WebhookOutbox;
  metrics: Metrics;
  sender: WebhookSender;
  reopen(): Promise<WebhookOutbox>;
}

function endpointFor(url: string, secret: string, events?: string): WebhookEndpoint[] {
  if (!events) return loadWebhookEndpoints({ WARDEN_WEBHOOK_URL: url, WARDEN_WEBHOOK_SECRET: secret });
  const yaml = `endpoints:\n  - {name: sub, url: "${url}", secret: "${secret}", events: [${events}]}\n`;
  return loadWebhookEndpoints({ WARDEN_WEBHOOKS_FILE: 'webhooks.yaml' }, () => yaml);
}

async function rig(name: string, endpoints: WebhookEndpoint[], extra: Partial<WebhookOutboxOptions> = {}, clock = new FakeClock(Date.now())): Promise<Rig> {
  let current: WebhookOutbox | undefined;
  const scheduler = new ManualScheduler(clock, async () => {
    await new Promise((resolve) => setImmediate(resolve));
    await current?.whenIdle();
  });
  const metrics = new Metrics();
  const sender = createHttpWebhookSender({ timeoutMs: 2_000 });
  const options: WebhookOutboxOptions = {
    file: join(dir, `${name}.jsonl`), endpoints, sender, clock, logger: silentLogger, metrics,
    schedule: scheduler.schedule, random: () => 0.5, ...extra,
  };
  current = await WebhookOutbox.open(options);
  const r: Rig = {
    clock, scheduler, metrics, sender, outbox: current,
    async reopen() {
      await current!.close();
      current = await WebhookOutbox.open(options);
      r.outbox = current;
      return current;
    },
  };
  cleanups.push(async () => {
    await current!.close().catch(() => undefined);
    await sender.close();
  });
  return r;
}

async function receiver(secret: string, clock?: FakeClock, port?: number): Promise<WebhookReceiver> {
  const rx = await WebhookReceiver.start({ secret, port, stamp: clock ? () => clock.now() : undefined });
  cleanups.push(() => rx.stop().catch(() => undefined));
  return rx;
}

const payload = (n: number): string => JSON.stringify({ type: 'session.revoked', timestamp: '2026-01-01T00:00:00.000000000Z', data: { session_id: `s${n}` } });

describe('WebhookOutbox', () => {
  it('delivers at once; the request verifies with standardwebhooks Webhook.verify', async () => {
    const secret = generateWebhookSecret();
    const rx = await receiver(secret);
    const { outbox, metrics } = await rig('verify', endpointFor(rx.url, secret));
    const [id] = await outbox.enqueue('session.revoked', payload(1), 'record-hash-1');
    await outbox.whenIdle();
    assert.equal(rx.received.length, 1);
    const got = rx.received[0]!;
    assert.equal(got.verifyError, undefined);
    assert.deepEqual(got.verified, JSON.parse(payload(1)));
    assert.equal(got.body, payload(1));
    assert.equal(got.id, id);
    assert.equal(id, webhookId('session.revoked', 'record-hash-1', 'default'));
    assert.match(got.headers['webhook-signature']!, /^v1,[A-Za-z0-9+/]+=*$/);
    assert.match(got.headers['webhook-timestamp']!, /^\d{10}$/);
    assert.equal(got.headers['content-type'], 'application/json');
    assert.equal(outbox.pendingCount(), 0);
    assert.match(await metrics.registry.metrics(), /warden_webhook_attempts_total\{endpoint="default",outcome="delivered"\} 1/);
  });

  it('a signature made with another secret does not verify (the check is real)', async () => {
    const rx = await receiver(generateWebhookSecret());
    const { outbox } = await rig('wrong-secret', endpointFor(rx.url, generateWebhookSecret()), { retry: { maxAgeMs: 0 } });
    await outbox.enqueue('session.revoked', payload(1), 'x');
    await outbox.whenIdle();
    assert.match(rx.received[0]!.verifyError!.message, /No matching signature/);
  });

  it('receiver answering 503 for a simulated minute, then up: each webhook-id succeeds exactly once', async () => {
    const secret = generateWebhookSecret();
    const clock = new FakeClock(Date.now());
    const rx = await receiver(secret, clock);
    const r2 = await rig('down-a-minute', endpointFor(rx.url, secret), {}, clock);
    rx.status = 503;
    const start = r2.clock.now();
    const ids = [...(await r2.outbox.enqueue('session.revoked', payload(1), 'a')), ...(await r2.outbox.enqueue('session.revoked', payload(2), 'b')), ...(await r2.outbox.enqueue('session.revoked', payload(3), 'c'))];
    await r2.scheduler.advance(60_000);
    assert.equal(r2.outbox.pendingCount(), 3);
    // Backoff with jitter at its midpoint: 750 ms, 1.5 s, 3 s, 6 s, 12 s, 24 s apart (×0.75 of 1 s doubling).
    const times = rx.received.filter((r) => r.id === ids[0]).map((r) => r.at - start);
    assert.deepEqual(times, [0, 750, 2_250, 5_250, 11_250, 23_250, 47_250]);
    rx.status = 200;
    await r2.scheduler.advance(60_000);
    assert.equal(r2.outbox.pendingCount(), 0);
    const successes = rx.successes();
    assert.deepEqual([...successes.keys()].sort(), [...ids].sort());
    for (const id of ids) assert.equal(successes.get(id), 1, `one success for ${id}`);
    for (const id of ids) assert.equal(rx.attempts().get(id), 8);
    assert.ok(rx.received.every((r) => r.verifyError === undefined));
    await r2.scheduler.advance(600_000);
    assert.equal(rx.received.length, 24, 'nothing more is sent once delivered');
  });

  it('Warden restarted while the receiver is down: reopened outbox delivers, once per webhook-id', async () => {
    const secret = generateWebhookSecret();
    const rx = await receiver(secret);
    const port = rx.port;
    const endpoints = endpointFor(rx.url, secret);
    await rx.stop(); // nothing listens: connection refused
    const r = await rig('restart', endpoints);
    const ids = [...(await r.outbox.enqueue('session.revoked', payload(1), 'r1')), ...(await r.outbox.enqueue('session.reinstated', payload(2), 'r2'))];
    await r.scheduler.advance(5_000);
    assert.equal(r.outbox.pendingCount(), 2);
    const reopened = await r.reopen();
    assert.equal(reopened.pendingCount(), 2, 'pending messages reloaded from the file');
    const up = await receiver(secret, undefined, port);
    await r.scheduler.advance(60_000);
    assert.equal(reopened.pendingCount(), 0);
    assert.deepEqual([...up.successes().entries()].sort(), ids.map((id) => [id, 1]).sort());
    const again = await r.reopen();
    assert.equal(again.pendingCount(), 0, 'delivered marks survive the restart');
    await r.scheduler.advance(600_000);
    assert.equal(up.received.length, 2);
  });

  it('4xx abandons after one attempt; 408 and 429 retry', async () => {
    const secret = generateWebhookSecret();
    const rx = await receiver(secret);
    const { outbox, scheduler, metrics } = await rig('status', endpointFor(rx.url, secret));
    rx.status = 410;
    await outbox.enqueue('session.revoked', payload(1), 'gone');
    await outbox.whenIdle();
    assert.equal(outbox.pendingCount(), 0);
    assert.match(await metrics.registry.metrics(), /warden_webhook_abandoned_total\{endpoint="default",code="WEBHOOK_REJECTED"\} 1/);
    for (const status of [408, 429]) {
      rx.status = status;
      await outbox.enqueue('session.revoked', payload(status), `s${status}`);
      await scheduler.advance(1_000);
      assert.equal(outbox.pendingCount(), 1, `${status} is retried`);
      rx.status = 200;
      await scheduler.advance(10_000);
      assert.equal(outbox.pendingCount(), 0);
    }
  });

  it('gives up after the maximum age', async () => {
    const secret = generateWebhookSecret();
    const rx = await receiver(secret);
    rx.status = 500;
    const { outbox, scheduler, metrics } = await rig('too-old', endpointFor(rx.url, secret), { retry: { maxAgeMs: 10_000 } });
    await outbox.enqueue('session.revoked', payload(1), 'old');
    await scheduler.advance(30_000);
    assert.equal(outbox.pendingCount(), 0);
    assert.equal(rx.received.length, 5); // 0, 0.75, 2.25, 5.25, 11.25 s: the last is past 10 s
    assert.match(await metrics.registry.metrics(), /warden_webhook_abandoned_total\{endpoint="default",code="WEBHOOK_TOO_OLD"\} 1/);
  });

  it('sends only the events an endpoint subscribed to; re-enqueueing a pending event adds nothing', async () => {
    const secret = generateWebhookSecret();
    const rx = await receiver(secret);
    rx.status = 503;
    const { outbox } = await rig('subscribed', endpointFor(rx.url, secret, 'finding.created'));
    assert.deepEqual(await outbox.enqueue('session.revoked', payload(1), 'x'), []);
    const ids = await outbox.enqueue('finding.created', payload(2), 'f1');
    assert.equal(ids.length, 1);
    assert.deepEqual(await outbox.enqueue('finding.created', payload(2), 'f1'), []);
    await outbox.whenIdle();
    assert.equal(outbox.pendingCount(), 1);
  });

  it('compacts the file when delivered messages dominate, keeping the pending ones', async () => {
    const secret = generateWebhookSecret();
    const rx = await receiver(secret);
    const r = await rig('compact', endpointFor(rx.url, secret), { compactAfter: 5 });
    rx.status = 503;
    const [stuck] = await r.outbox.enqueue('session.revoked', payload(0), 'stuck');
    await r.outbox.whenIdle();
    rx.status = 200;
    for (let i = 1; i <= 12; i++) await r.outbox.enqueue('session.revoked', payload(i), `ok${i}`);
    await r.outbox.whenIdle();
    const text = await readFile(join(dir, 'compact.jsonl'), 'utf8');
    assert.ok(text.split('\n').length < 20, `compacted (${text.split('\n').length} lines)`);
    const reopened = await r.reopen();
    assert.equal(reopened.pendingCount(), 1);
    await r.scheduler.advance(5_000);
    assert.equal(rx.successes().get(stuck!), 1);
    assert.equal(reopened.pendingCount(), 0);
    assert.ok(reopened.knows(webhookId('session.revoked', 'ok1', 'default')), 'compaction keeps the delivered history');
  });

  it('remembers delivered and abandoned ids across restarts for the history window; the same event is not sent again', async () => {
    const secret = generateWebhookSecret();
    const rx = await receiver(secret);
    const r = await rig('history', endpointFor(rx.url, secret), { historyMs: 60_000 });
    const [delivered] = await r.outbox.enqueue('session.revoked', payload(1), 'h1');
    rx.status = 410;
    const [abandoned] = await r.outbox.enqueue('session.revoked', payload(2), 'h2');
    await r.outbox.whenIdle();
    rx.status = 200;
    assert.equal(r.outbox.pendingCount(), 0);
    r.clock.advance(30_000);
    let reopened = await r.reopen();
    assert.ok(reopened.knows(delivered!) && reopened.knows(abandoned!));
    assert.deepEqual(await reopened.enqueue('session.revoked', payload(1), 'h1'), []);
    assert.deepEqual(await reopened.enqueue('session.revoked', payload(2), 'h2'), []);
    r.clock.advance(31_000);
    reopened = await r.reopen();
    assert.equal(reopened.knows(delivered!), false, 'forgotten after the history window');
    assert.equal(rx.received.length, 2);
    const text = await readFile(join(dir, 'history.jsonl'), 'utf8');
    assert.deepEqual(text.trim().split('\n').map((l) => (JSON.parse(l) as { op: string }).op), ['subscribed', 'subscribed'], 'only the subscriptions remain');
  });

  it('enqueueMissed: only endpoints subscribed when the event happened, only within what the outbox vouches for', async () => {
    const secret = generateWebhookSecret();
    const rx = await receiver(secret);
    const r = await rig('missed', endpointFor(rx.url, secret), { historyMs: 60_000 });
    const opened = r.clock.now();
    assert.equal(r.outbox.vouchesSince(), opened);
    assert.deepEqual(await r.outbox.enqueueMissed('session.revoked', payload(1), 'before', opened - 1), [], 'before the subscription');
    assert.deepEqual(await r.outbox.enqueueMissed('finding.created', payload(1), 'f', opened), [], 'not subscribed to the type');
    const id = webhookId('session.revoked', 'at', 'default');
    assert.deepEqual(await r.outbox.enqueueMissed('session.revoked', payload(2), 'at', opened), [{ id, endpoint: 'default' }]);
    assert.deepEqual(await r.outbox.enqueueMissed('session.revoked', payload(2), 'at', opened), [], 'already known');
    r.clock.advance(120_000);
    assert.equal(r.outbox.vouchesSince(), r.clock.now() - 60_000);
    assert.deepEqual(await r.outbox.enqueueMissed('session.revoked', payload(3), 'late', opened + 1), [], 'older than the history window');
    await r.outbox.whenIdle();
    assert.deepEqual([...rx.successes()], [[id, 1]]);
  });

  it('refuses a history window that is not a positive duration', async () => {
    await assert.rejects(rig('bad-history', [], { historyMs: 0 }), (err: Error & { code?: string; retryable?: boolean }) => err.code === 'INVALID_OUTBOX_OPTIONS' && err.retryable === false);
  });
});

/**
 * Incident replays end to end: a real Warden (embedded ClickHouse, HTTP on a loopback port,
 * detection and kill switch) with its kill-switch webhook pointed at a local receiver that
 * verifies signatures with `standardwebhooks`. Every recorded session in `sessions/` is
 * replayed concurrently under its own session id, in its own wire shape. Each incident must end
 * revoked (its signed `session.revoked` webhook received, the API saying `revoked`); benign
 * sessions, checked once every replay has settled, must not. Prints a table and the recall and
 * false-positive rate over the whole set; thresholds are recall ≥ 0.9 with every seed incident
 * caught, and false-positive rate ≤ 0.1.
 *
 * `WARDEN_REPLAY_SPEED` (default 1, as recorded: about 2.5 minutes) compresses real time; live
 * detection reads the wall clock, so a faster replay shows a faster agent (see replay.ts).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startTestWarden, type TestWarden } from '../helpers/test-warden.js';
import { type ReplayedSession, type SessionOutcome, collectOutcome, score } from '../../serve/demo/outcomes.js';
import { loadIncidentSessions, replaySession } from '../../serve/demo/replay.js';
import { explainMisses, formatTable, latencyLine, summaryLine } from '../../serve/demo/report.js';
import { WardenApi } from '../../serve/demo/warden-api.js';
import { WebhookSink, newWebhookSecret } from '../../serve/demo/webhook-sink.js';

const SESSIONS_DIR = new URL('../../serve/demo/sessions/', import.meta.url).pathname;
const SPEED = Number(process.env.WARDEN_REPLAY_SPEED ?? '1');
/** After the last replay ends: how long an incident's webhook or a session's events may take. */
const DEADLINE_MS = 30_000;

async function pollUntil(done: () => boolean | Promise<boolean>, timeoutMs: number, intervalMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  return true;
}

describe('recorded incidents replayed against a running Warden', { timeout: 15 * 60_000 }, () => {
  const sessions = loadIncidentSessions(SESSIONS_DIR);
  let sink: WebhookSink;
  let warden: TestWarden;
  let api: WardenApi;
  let token: string | undefined;
  const outcomes = new Map<string, SessionOutcome>();

  before(async () => {
    const secret = newWebhookSecret();
    sink = await WebhookSink.start(secret);
    warden = await startTestWarden({ WARDEN_WEBHOOK_URL: sink.url, WARDEN_WEBHOOK_SECRET: secret });
    token = warden.createdToken?.token;
    api = new WardenApi(warden.url, token);
  });
  after(async () => {
    await warden?.cleanup();
    await sink?.close();
  });

  it('replays every session and reads back what Warden did', async () => {
    const run = randomUUID().slice(0, 6);
    const started = Date.now();
    const replayed: ReplayedSession[] = await Promise.all(
      sessions.map(async (session) => {
        const result = await replaySession(warden.url, session, { token, speed: SPEED, sessionId: `${session.name}-${run}` });
        return { session, result };
      }),
    );
    console.log(`# replayed ${replayed.length} sessions at speed ${SPEED} in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    // Incidents: wait for the signed webhook. Everything: wait until Warden has seen every event.
    await Promise.all(
      replayed.map(async ({ session, result }) => {
        if (session.kind === 'incident') await pollUntil(() => sink.revoked.has(result.sessionId), DEADLINE_MS);
        const settled = await pollUntil(async () => ((await api.session(result.sessionId))?.counts.events ?? 0) >= result.records, DEADLINE_MS, 250);
        if (!settled) console.log(`# ${session.name}: Warden did not report all ${result.records} events within ${DEADLINE_MS} ms`);
      }),
    );
    for (const r of replayed) outcomes.set(r.session.name, await collectOutcome(api, r, sink));

    const list = [...outcomes.values()];
    console.log(`\n${formatTable(list)}\n\n${summaryLine(score(list))}\n${latencyLine(list)}`);
    const misses = explainMisses(list);
    if (misses) console.log(`\n${misses}`);
    assert.equal(sink.invalid, 0, 'every webhook verified');
  });

  for (const session of sessions.filter((s) => s.seed !== undefined)) {
    it(`seed incident (${session.seed}) ${session.name} is revoked`, () => {
      const o = outcomes.get(session.name);
      assert.ok(o, 'replayed');
      assert.ok(o.revoked, `not revoked; detectors that fired: ${o.detectors.join(', ') || 'none'}`);
      assert.ok(o.webhook, 'a verified session.revoked webhook');
    });
  }

  it('every revocation shows in the API and arrived as a signed webhook', () => {
    for (const o of outcomes.values()) {
      if (!o.revoked) continue;
      assert.ok(o.revokedBy !== '', `${o.session.name}: revoked_by`);
      assert.ok(o.webhook, `${o.session.name}: webhook`);
    }
  });

  it('detection recall ≥ 0.9 and false-positive rate ≤ 0.1 over the whole set', () => {
    assert.equal(outcomes.size, sessions.length, 'every session replayed');
    const s = score([...outcomes.values()]);
    assert.ok(s.recall >= 0.9, `recall ${s.recall.toFixed(2)}`);
    assert.ok(s.falsePositiveRate <= 0.1, `false-positive rate ${s.falsePositiveRate.toFixed(2)}`);
  });
});

/**
 * Detection state against the real engine (chdb): findings and session rows written in batches
 * and read back; state rebuilt from `audit_events` and `revocations` after a "restart" — the
 * latest events per session replayed silently, revoked sessions still revoked, and the stream
 * carrying on without emitting the rebuilt findings again.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ClickHouseAuditStore, migrate } from './index.js';
import { FakeClock } from '../lib/clock.js';
import { silentLogger } from '../lib/logger.js';
import { Metrics } from '../lib/metrics.js';
import { openTempChdb, type TempChdb } from '../test/infra/clickhouse-chdb.js';
import type { Finding } from '../model/finding.js';
import { defaultPolicy } from '../detect/policy/load-policy.js';
import { rebuildFromStore } from './session-rebuild.js';
import { SessionRegistry } from '../detect/session/session-registry.js';
import { newSession, stepEvent } from '../detect/testing/scenario.js';
import { ClickHouseFindingStore, ClickHouseSessionStore } from './detection-stores.js';
import { DetectionEngine } from '../detect/engine/detection-engine.js';

const START = Date.UTC(2026, 10, 21, 9);
let chdb: TempChdb;

before(async () => {
  chdb = await openTempChdb('warden_detect_test');
  await migrate(chdb.handle, { ttlDays: 3650 });
});
after(async () => {
  await chdb?.cleanup();
});

async function rows<T>(query: string): Promise<T[]> {
  const rs = await chdb.handle.client.query({ query, format: 'JSONEachRow' });
  return rs.json<T>();
}

function engineWith(clock: FakeClock, findings?: Finding[], stores?: { f: ClickHouseFindingStore; s: ClickHouseSessionStore }) {
  const registry = new SessionRegistry({ clock, ...(stores ? { onStateChange: (s) => stores.s.touch(s) } : {}) });
  return new DetectionEngine({
    registry,
    policy: defaultPolicy(),
    clock,
    logger: silentLogger,
    metrics: new Metrics(),
    onFinding: (f) => void findings?.push(f),
    ...(stores ? { findings: stores.f, sessions: stores.s } : {}),
  });
}

describe('detection state in ClickHouse (chdb)', () => {
  it('writes findings and the newest session row in batches', async () => {
    const clock = new FakeClock(START);
    const opts = { logger: silentLogger, metrics: new Metrics(), clock, flushIntervalMs: 60_000 };
    const stores = { f: new ClickHouseFindingStore(chdb.handle, opts), s: new ClickHouseSessionStore(chdb.handle, opts) };
    const engine = engineWith(clock, [], stores);
    const session = newSession({ name: 'stored', steps: [] }, START);
    const events = [0, 1, 2].map((i) => {
      clock.advance(300);
      return stepEvent({ command: `kubectl delete namespace team-${i}` }, i, session, clock.now());
    });
    await engine.consume(events);
    engine.registry.markRevoked('default', session.id, { at: '2026-11-21T09:00:01.000000000Z', by: 'operator:ops', reason: 'burst', finding_id: null });
    await stores.f.close();
    await stores.s.close();

    const found = await rows<{ detector: string; severity: string; evidence: string[]; at: string }>(
      `SELECT detector, severity, evidence, toString(at) AS at FROM warden_detect_test.findings FINAL ORDER BY at, detector`,
    );
    assert.ok(found.some((f) => f.detector === 'destructive_burst' && f.severity === 'high'));
    assert.ok(found.every((f) => f.at.startsWith('2026-11-21 09:00:00')));
    const sessions = await rows<{ state: string; event_count: string; destructive_count: string; revoked_by: string }>(
      `SELECT state, event_count, destructive_count, revoked_by FROM warden_detect_test.sessions FINAL WHERE session_id = '${session.id}'`,
    );
    assert.deepEqual(sessions.map((s) => [s.state, String(s.event_count), String(s.destructive_count), s.revoked_by]), [['revoked', '3', '3', 'operator:ops']]);
  });

  it('rebuilds recent state and revocations after a restart without re-emitting findings', async () => {
    const metrics = new Metrics();
    const store = new ClickHouseAuditStore(chdb.handle, { logger: silentLogger, metrics });
    const burst = newSession({ name: 'burst', steps: [] }, START);
    const revoked = newSession({ name: 'revoked', steps: [] }, START);
    const burstEvents = [0, 1, 2, 3].map((i) => stepEvent({ command: `rm -rf /srv/data/${i}` }, i, burst, START + 10_000 + i * 300));
    const revokedEvents = [stepEvent({ command: 'git status' }, 0, revoked, START + 5000)];
    await store.insertEvents([...burstEvents.slice(0, 3), ...revokedEvents]);
    await chdb.handle.client.insert({
      table: 'warden_detect_test.revocations',
      format: 'JSONEachRow',
      values: [{ tenant: 'default', session_id: revoked.id, action: 'revoke', at: '2026-11-21 09:00:06.000000000', by: 'operator:ops', reason: 'manual', finding_id: '', prev_hash: '0'.repeat(64), hash: 'a'.repeat(64) }],
    });

    // Before the restart this instance emitted the burst finding on the second delete.
    const firstRun: Finding[] = [];
    const clock = new FakeClock(START + 10_000);
    const before = engineWith(clock, firstRun);
    await before.consume(burstEvents.slice(0, 2));
    assert.equal(firstRun.filter((f) => f.detector === 'destructive_burst').length, 1);

    const findings: Finding[] = [];
    const engine = engineWith(new FakeClock(START + 11_000), findings);
    const result = await rebuildFromStore(chdb.handle, engine, { sinceMs: START - 3_600_000, maxSessions: 10, maxEventsPerSession: 200 });
    assert.ok(result.sessions >= 2 && result.revoked >= 1);
    const rebuilt = engine.registry.get('default', burst.id)!;
    assert.equal(rebuilt.counts.events, 3);
    assert.deepEqual(rebuilt.recentIds, burstEvents.slice(0, 3).map((e) => e.event_id));
    assert.equal(engine.registry.get('default', revoked.id)!.state, 'revoked');
    assert.equal(findings.length, 0, 'replay is silent');

    // The partition is redelivered from the last commit, then the stream goes on.
    await engine.consume(burstEvents);
    assert.equal(engine.registry.get('default', burst.id)!.counts.events, 4);
    assert.ok(!findings.some((f) => firstRun.some((g) => g.id === f.id)), 'no finding emitted twice');
    assert.ok(findings.some((f) => f.detector === 'destructive_burst' && f.severity === 'critical'), 'the burst goes on from rebuilt state');
    await engine.consume([stepEvent({ command: 'ls' }, 1, revoked, START + 12_000)]);
    assert.ok(findings.some((f) => f.detector === 'post_revocation_activity'));
  });

  it("a finding stored before its events were (its owner killed in between) is not emitted again when the events come back", async () => {
    const clock = new FakeClock(START + 40_000);
    const opts = { logger: silentLogger, metrics: new Metrics(), clock, flushIntervalMs: 60_000 };
    const stores = { f: new ClickHouseFindingStore(chdb.handle, opts), s: new ClickHouseSessionStore(chdb.handle, opts) };
    const orphan = newSession({ name: 'orphan', steps: [] }, START);
    const events = [0, 1, 2].map((i) => stepEvent({ command: `rm -rf /srv/cache/${i}` }, i, orphan, START + 40_000 + i * 200));
    const firstRun: Finding[] = [];
    await engineWith(clock, firstRun, stores).consume(events);
    await stores.f.close();
    await stores.s.close();
    const stored = firstRun.filter((f) => f.session_id === orphan.id);
    assert.ok(stored.length > 0, 'the first owner found something');
    // Its events never reached audit_events: the next owner gets them again from the transport.
    const findings: Finding[] = [];
    const engine = engineWith(new FakeClock(START + 41_000), findings);
    const result = await rebuildFromStore(chdb.handle, engine, { sinceMs: START - 3_600_000, maxSessions: 10, maxEventsPerSession: 200 });
    assert.ok(result.findings >= stored.length);
    await engine.consume(events);
    assert.deepEqual(findings.filter((f) => stored.some((g) => g.id === f.id)).map((f) => f.id), [], 'no stored finding emitted again');
  });

  it('rebuilding again (after a rebalance) adds only what another instance stored meanwhile', async () => {
    const metrics = new Metrics();
    const store = new ClickHouseAuditStore(chdb.handle, { logger: silentLogger, metrics });
    const moved = newSession({ name: 'moved', steps: [] }, START);
    const events = [0, 1, 2, 3, 4].map((i) => stepEvent({ command: `ls dir${i}` }, i, moved, START + 30_000 + i * 100));
    await store.insertEvents(events.slice(0, 2));
    const engine = engineWith(new FakeClock(START + 31_000));
    const options = { sinceMs: START - 3_600_000, maxSessions: 100, maxEventsPerSession: 200 };
    await rebuildFromStore(chdb.handle, engine, options);
    assert.equal(engine.registry.get('default', moved.id)!.counts.events, 2);
    await engine.consume([events[2]!]); // this instance goes on with the session
    await store.insertEvents([events[2]!, events[3]!, events[4]!]); // another instance stored the rest
    await rebuildFromStore(chdb.handle, engine, options);
    const rebuilt = engine.registry.get('default', moved.id)!;
    assert.equal(rebuilt.counts.events, 5, 'each event counted once');
    assert.deepEqual(rebuilt.recentIds, events.map((e) => e.event_id));
  });

  it('keeps only the latest events per session when asked', async () => {
    const engine = engineWith(new FakeClock(START + 20_000));
    await rebuildFromStore(chdb.handle, engine, { sinceMs: START - 3_600_000, maxSessions: 10, maxEventsPerSession: 2 });
    const s = engine.registry.get('default', 'scenario-burst')!;
    assert.deepEqual(s.recentIds, ['scenario-burst-1', 'scenario-burst-2']);
  });
});

/**
 * The security review's reproduction, through the real engine, registry and detectors: tenant A
 * declares a never-touch scope for /srv/prod; tenant B then opens 12,000 one-event sessions;
 * tenant A's `rm -rf /srv/prod/db` must still be caught by scope_drift as a deny-list hit. With
 * the old cross-tenant LRU, B's sessions evicted A's and the delete passed with no finding.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../../lib/clock.js';
import { silentLogger } from '../../lib/logger.js';
import { Metrics } from '../../lib/metrics.js';
import { DetectionEngine } from '../engine/detection-engine.js';
import type { Finding } from '../../model/finding.js';
import { defaultPolicy } from '../policy/load-policy.js';
import { newSession, stepEvent } from '../testing/scenario.js';
import { SessionRegistry } from './session-registry.js';

const START = Date.UTC(2026, 10, 21, 9);

describe('tenant isolation of detector state', () => {
  it("one tenant's 12,000 sessions do not evict another tenant's declared never-touch scope", async () => {
    const clock = new FakeClock(START);
    const metrics = new Metrics();
    const found: Finding[] = [];
    const registry = new SessionRegistry({ clock, metrics });
    const engine = new DetectionEngine({ registry, policy: defaultPolicy(), clock, logger: silentLogger, metrics, onFinding: (f) => void found.push(f) });

    const a = newSession({ name: 'a-guarded', session: { tenant: 'tenant-a' }, steps: [] }, START);
    await engine.consume([stepEvent({ command: 'git status', set: { scope_deny: ['/srv/prod/**'], goal: 'fix the flaky test' } }, 0, a, clock.now())]);

    // 12,000 one-span sessions of tenant B, sent in 1.8 s.
    const b = newSession({ name: 'b', session: { tenant: 'tenant-b' }, steps: [] }, START);
    for (let batch = 0; batch < 120; batch++) {
      clock.advance(15);
      const events = [];
      for (let i = 0; i < 100; i++) {
        const id = `b-${batch * 100 + i}`;
        events.push(stepEvent({ command: 'ls', set: { session_id: id, event_id: id } }, 0, { ...b, id }, clock.now()));
      }
      await engine.consume(events);
    }
    assert.ok(registry.size <= 10_000, 'memory stays bounded');

    clock.advance(1000);
    await engine.consume([stepEvent({ command: 'rm -rf /srv/prod/db', cwd: '/srv' }, 1, a, clock.now())]);
    const hit = found.filter((f) => f.tenant === 'tenant-a' && f.detector === 'scope_drift');
    assert.equal(hit.length, 1, 'the delete under the never-touch scope is a finding');
    assert.match(JSON.stringify(hit[0]), /\/srv\/prod\/\*\*/, 'judged against the declared deny-list');
    const evicted = await metrics.registry.getSingleMetric('warden_session_evictions_total')?.get();
    const byTenant = new Map((evicted?.values ?? []).map((v) => [String(v.labels.tenant), v.value]));
    assert.ok((byTenant.get('tenant-b') ?? 0) > 0, "tenant B's own sessions were evicted and counted");
    assert.equal(byTenant.get('tenant-a') ?? 0, 0);
  });
});

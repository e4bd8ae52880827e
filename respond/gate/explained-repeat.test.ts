/**
 * A call the gate stopped, asked again in the same session, is stopped again with the first
 * decision's explanation (the detector reports its target once, so the second time there is no
 * finding to explain it): the same rule, target, why and alternative, and a reason that still
 * ends with "Instead: …". Real detection engine, classifier and registry, fake clock.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../../lib/clock.js';
import { silentLogger } from '../../lib/logger.js';
import { Metrics } from '../../lib/metrics.js';
import { DetectionEngine } from '../../detect/engine/detection-engine.js';
import { defaultPolicy } from '../../detect/policy/load-policy.js';
import { SessionRegistry } from '../../detect/session/session-registry.js';
import { newSession, stepEvent } from '../../detect/testing/scenario.js';
import { Gate } from './gate-service.js';

const START = Date.UTC(2026, 11, 3, 9);

describe('the gate explains a repeated stop', () => {
  it('the same call asked again keeps the explanation of the first deny', async () => {
    const clock = new FakeClock(START);
    const metrics = new Metrics();
    const registry = new SessionRegistry({ clock });
    const engine = new DetectionEngine({ registry, policy: defaultPolicy(), clock, logger: silentLogger, metrics });
    const gate = new Gate({ engine, clock, logger: silentLogger, metrics });
    const session = newSession({ name: 'repeat', steps: [] }, START);
    let i = 0;
    await engine.consume([stepEvent({ phase: 'session', set: { scope_deny: ['/srv/prod/**'], goal: 'Tidy the build output in /home/dev/repo' } }, i++, session, clock.now())]);
    const intent = (command: string, afterMs = 2_000) => {
      clock.advance(afterMs);
      return stepEvent({ command, phase: 'intent' }, i++, session, clock.now());
    };

    const first = await gate.decide(intent('rm -rf /srv/prod/db'), true);
    assert.equal(first.decision, 'deny', first.reason);
    assert.equal(first.rule, 'scope_drift/deny · rm_recursive (fs.delete)');
    assert.equal(first.instead, 'work on a copy under the workspace, or delete only files you created there');
    assert.ok(first.reason.endsWith('Instead: work on a copy under the workspace, or delete only files you created there.'), first.reason);

    // Minutes later, so no burst of destructive actions explains the second one.
    const again = await gate.decide(intent('rm -rf /srv/prod/db', 10 * 60_000), true);
    assert.equal(again.decision, 'deny');
    assert.match(again.reason, /denied earlier in this session/);
    assert.deepEqual([again.rule, again.target, again.why, again.instead], [first.rule, first.target, first.why, first.instead]);
    assert.ok(again.reason.endsWith('Instead: work on a copy under the workspace, or delete only files you created there.'), again.reason);
  });
});

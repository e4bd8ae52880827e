/**
 * Findings as the engine emits them carry their explanation: the real detectors, classifier and
 * session registry under a fake clock. A never-touch `rm -rf` names scope_drift's deny check, the
 * classifier's rule, the target, the pattern it matched and the alternative; a force push to main
 * against a goal to fix a typo names goal_deviation's check and the default branch; a benign
 * command raises no finding at all.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../../lib/clock.js';
import { silentLogger } from '../../lib/logger.js';
import { Metrics } from '../../lib/metrics.js';
import type { Finding } from '../../model/finding.js';
import { DetectionEngine } from '../engine/detection-engine.js';
import { defaultPolicy } from '../policy/load-policy.js';
import { SessionRegistry } from '../session/session-registry.js';
import { newSession, stepEvent } from '../testing/scenario.js';

const START = Date.UTC(2026, 11, 3, 9);

function session(declared: { scope_deny?: string[]; goal?: string }) {
  const clock = new FakeClock(START);
  const registry = new SessionRegistry({ clock });
  const found: Finding[] = [];
  const engine = new DetectionEngine({ registry, policy: defaultPolicy(), clock, logger: silentLogger, metrics: new Metrics(), onFinding: (f) => void found.push(f) });
  const s = newSession({ name: 'explain', steps: [] }, START);
  let i = 0;
  engine.consume([stepEvent({ phase: 'session', set: declared }, i++, s, clock.now())]);
  const run = (command: string): Finding[] => {
    clock.advance(2_000);
    return engine.evaluate(stepEvent({ command, phase: 'intent', cwd: '/home/dev/repo' }, i++, s, clock.now()), { act: true }) ?? [];
  };
  return { run, found };
}

describe('findings explain themselves', () => {
  it('scope_drift/deny on rm -rf into a never-touch path', () => {
    const t = session({ scope_deny: ['/srv/prod/**'], goal: 'Tidy the build output in /home/dev/repo' });
    const f = t.run('rm -rf /srv/prod/db').find((x) => x.detector === 'scope_drift');
    assert.ok(f, 'a scope_drift finding');
    assert.equal(f.rule, 'scope_drift/deny · rm_recursive (fs.delete)');
    assert.equal(f.target, '/srv/prod/db');
    assert.equal(f.why, 'matches never-touch /srv/prod/** (declared by the session); deletes files that cannot be restored from the workspace');
    assert.equal(f.instead, 'work on a copy under the workspace, or delete only files you created there');
  });

  it('goal_deviation on a force push to main in a session whose goal is a typo fix', () => {
    const t = session({ goal: 'fix a typo in README.md' });
    const f = t.run('git push --force origin main').find((x) => x.detector === 'goal_deviation');
    assert.ok(f, 'a goal_deviation finding');
    assert.match(f.rule, /^goal_deviation\/escalation · git_force_push_protected \(git\.force_push\)$/);
    assert.equal(f.target, 'git://origin/refs/heads/main');
    assert.match(f.why, /^more impact than the session's goal calls for; the default branch, which everyone builds and deploys from; /);
    assert.equal(f.instead, 'push to a new branch and open a pull request');
  });

  it('a benign command in the same session raises nothing to explain', () => {
    const t = session({ goal: 'fix a typo in README.md' });
    assert.deepEqual(t.run('git diff README.md'), []);
  });
});

/**
 * scope_drift behaviour beyond the fixtures: one finding per area and severity, intent and
 * execution of one call counted once, the home inferred for `~`, sessions isolated, and the
 * explanation carrying the numbers.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../../lib/clock.js';
import { driveSession } from '../common/drive-session.js';
import type { ScenarioStep } from '../testing/scenario.js';
import { scopeDriftFactory } from './index.js';

const WORK: ScenarioStep[] = ['git status', 'npm test', 'cat src/index.ts', 'npm run build', 'git diff'].map((command) => ({ command }));

function run(steps: ScenarioStep[], session = {}) {
  return driveSession(scopeDriftFactory.create(), scopeDriftFactory.defaults, { name: 't', session, steps }, new FakeClock());
}

describe('scope_drift detector', () => {
  it('reports an area once per severity, again when the severity rises', () => {
    const r = run([...WORK, { command: 'rm -rf /home/dev/logs/a' }, { command: 'rm -rf /home/dev/logs/b' }, { command: 'rm -rf /home/dev/logs/c' }]);
    assert.equal(r.all.length, 3, 'each subdirectory is its own area');
    const same = run([...WORK, { command: 'echo x > /srv/data/a.txt' }, { command: 'echo y > /srv/data/b.txt' }, { command: 'rm -rf /srv/data/a.txt' }]);
    assert.deepEqual(same.perStep.slice(5).map((d) => d.map((x) => x.severity)), [['medium'], [], ['high']]);
  });
  it('escalates when a later action on a reported area is more severe', () => {
    const r = run([...WORK, { command: 'cat ~/.aws/config' }, { command: 'head ~/.aws/config' }, { command: 'rm -rf ~/.aws' }]);
    assert.deepEqual(r.perStep.slice(5).map((d) => d.map((x) => x.severity)), [['medium'], [], ['high']]);
  });
  it('counts an intent and its execution as one action while learning', () => {
    const steps: ScenarioStep[] = WORK.slice(0, 4).flatMap((s, i) => [
      { ...s, phase: 'intent' as const, tool_call_id: `c${i}` }, { ...s, tool_call_id: `c${i}` },
    ]);
    const r = run([...steps, { command: 'ls /srv/other', tool_call_id: 'c9' }, { command: 'rm -rf /srv/other/x', tool_call_id: 'c10' }]);
    assert.equal(r.all.length, 0, 'the fifth distinct call is still learned');
  });
  it('reports an intent and then stays quiet for its execution', () => {
    const r = run([...WORK, { command: 'rm -rf /home/dev/logs', phase: 'intent', tool_call_id: 'x' }, { command: 'rm -rf /home/dev/logs', tool_call_id: 'x' }]);
    assert.deepEqual(r.perStep.slice(5).map((d) => d.length), [1, 0]);
  });
  it('expands ~ against the inferred home', () => {
    const r = run([...WORK, { command: 'rm -rf ~/notes' }]);
    assert.match(r.all[0]!.title, /\/home\/dev\/notes/);
  });
  it('keeps sessions apart', () => {
    const detector = scopeDriftFactory.create();
    const clock = new FakeClock();
    const a = driveSession(detector, scopeDriftFactory.defaults, { name: 'a', steps: [...WORK, { command: 'rm -rf /home/dev/logs' }] }, clock);
    const b = driveSession(detector, scopeDriftFactory.defaults, { name: 'b', steps: [{ command: 'ls', cwd: '/home/dev/logs' }, ...WORK.map((s) => ({ ...s, cwd: '/home/dev/logs' })), { command: 'rm -rf /home/dev/logs/old', cwd: '/home/dev/logs' }] }, clock);
    assert.equal(a.all.length, 1);
    assert.equal(b.all.length, 0);
  });
  it('explains the score with its factors', () => {
    const r = run([...WORK, { command: 'kubectl get pods -n web' }, { command: 'kubectl delete ns payments' }]);
    const f = r.all[0]!;
    assert.equal(f.severity, 'high');
    assert.match(f.explanation, /had not worked with|another namespace/);
    assert.match(f.explanation, /Score \d\.\d\d × \d\.\d\d × \d\.\d\d = \d\.\d\d/);
    assert.deepEqual(f.evidence, [`scenario-t-6`]);
  });
  it('ignores session declarations and rejected intents', () => {
    const r = run([{ command: 'cat ~/.ssh/id_rsa', phase: 'session' }, { command: 'rm -rf ~/.ssh', phase: 'intent', set: { decision: 'deny' } }], { scope_deny: ['~/.ssh/**'] });
    assert.equal(r.all.length, 0);
  });
});

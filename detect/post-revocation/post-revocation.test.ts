/**
 * Repeat suppression: the identical command within the window reports once, a different command
 * or the same one after the window reports again, each finding naming the single event.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runScenario } from '../testing/scenario.js';
import { postRevocationFactory } from './index.js';

describe('post_revocation_activity', () => {
  it('suppresses identical repeats within 1 s only', () => {
    const run = runScenario(postRevocationFactory, {
      name: 'retry',
      session: { state: 'revoked' },
      steps: [
        { after_ms: 100, command: 'rm -rf /data' },
        { after_ms: 300, command: 'rm -rf /data' },
        { after_ms: 300, command: 'rm -rf /backup' },
        { after_ms: 1200, command: 'rm -rf /backup' },
      ],
    });
    assert.deepEqual(run.perStep.map((d) => d.length), [1, 0, 1, 1]);
    assert.deepEqual(run.perStep[2]![0]!.evidence, [run.events[2]!.event_id]);
    assert.match(run.perStep[0]![0]!.title, /Bash `rm -rf \/data`/);
  });
});

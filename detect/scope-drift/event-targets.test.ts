import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeEvent } from '../../test/infra/clickhouse-events.js';
import { eventTargets } from './event-targets.js';

test('a target is spelled for the home it is read under, also when it was spelled under another before (the cache keys on both)', () => {
  const event = makeEvent({ targets: ['~/repo/x', '/home/a/repo/x', '/etc/hosts'], environment: '' });
  const underA = eventTargets(event, '/home/a');
  assert.deepEqual(underA.map((t) => t.shown), ['/home/a/repo/x', '/etc/hosts'], 'two spellings of one target count once');
  assert.deepEqual(underA[0]!.spellings, ['/home/a/repo/x', '~/repo/x']);
  const underB = eventTargets(event, '/home/b');
  assert.deepEqual(underB.map((t) => t.shown), ['/home/b/repo/x', '/home/a/repo/x', '/etc/hosts']);
  assert.deepEqual(underB[1]!.spellings, ['/home/a/repo/x'], "another user's home is not this session's ~");
  const unknownHome = eventTargets(event, '');
  assert.deepEqual(unknownHome[0]!.spellings, ['~/repo/x']);
  // Read again: the same answers from the cache.
  assert.deepEqual(eventTargets(event, '/home/a').map((t) => t.spellings), underA.map((t) => t.spellings));
});

test('a declared environment is a pseudo-target; none when the event has none', () => {
  const withEnv = eventTargets(makeEvent({ targets: [], environment: ' Prod ' }), '/home/a');
  assert.deepEqual(withEnv.map((t) => [t.shown, t.pseudo]), [['env://prod', true]]);
  assert.deepEqual(eventTargets(makeEvent({ targets: [], environment: '' }), '/home/a'), []);
});

test('many targets (the set path) drop repeated spellings as the short path does', () => {
  const targets = Array.from({ length: 12 }, (_, i) => `/srv/app/f${i % 6}`);
  assert.deepEqual(eventTargets(makeEvent({ targets, environment: '' }), '/home/a').map((t) => t.shown), Array.from({ length: 6 }, (_, i) => `/srv/app/f${i}`));
});

/**
 * Pure parts of the operator API's queries: glob → LIKE translation, timeline pairing, target
 * kinds, time formatting and `since` parsing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { globToLike } from './targets.js';
import { pairTimeline, type TimelineEvent } from './timeline.js';
import { targetKind } from './blast-radius.js';
import { nsToRfc3339OrEmpty } from '../../../lib/rfc3339.js';
import { parseSince } from './time.js';
import { makeEvent } from '../../../test/infra/clickhouse-events.js';
import { ApiError } from '../../../lib/errors.js';

test('globToLike escapes LIKE wildcards and translates * and ?', () => {
  assert.equal(globToLike('/srv/app/**'), '/srv/app/%');
  assert.equal(globToLike('k8s://*/staging-?'), 'k8s://%/staging-_');
  assert.equal(globToLike('50%_off\\x'), '50\\%\\_off\\\\x');
  assert.equal(globToLike('a***b'), 'a%b');
  assert.equal(globToLike('plain'), 'plain');
});

test('targetKind is the URI scheme or path', () => {
  assert.equal(targetKind('k8s://ctx/ns'), 'k8s');
  assert.equal(targetKind('AWS://1/eu-west-1/s3/b'), 'aws');
  assert.equal(targetKind('/etc/passwd'), 'path');
  assert.equal(targetKind('relative/file'), 'path');
});

test('pairTimeline keeps first-seen order and pairs by call id', () => {
  const e = (id: string, phase: TimelineEvent['phase'], call: string): TimelineEvent => ({ ...makeEvent({ event_id: id, phase, tool_call_id: call }), at: id });
  const items = pairTimeline([e('1', 'execution', 'b'), e('2', 'intent', 'a'), e('3', 'intent', 'b'), e('4', 'execution', 'a'), e('5', 'session', ''), e('6', 'execution', 'a')]);
  assert.deepEqual(
    items.map((i) => (i.kind === 'event' ? i.event.event_id : [i.tool_call_id, i.intent?.event_id, i.execution?.event_id, i.related.map((r) => r.event_id)])),
    [['b', '3', '1', []], ['a', '2', '4', ['6']], '5'],
  );
});

test('nsToRfc3339 keeps nanoseconds exactly', () => {
  assert.equal(nsToRfc3339OrEmpty('1763740800123456789'), '2025-11-21T16:00:00.123456789Z');
  assert.equal(nsToRfc3339OrEmpty('0'), '');
  assert.equal(nsToRfc3339OrEmpty(null), '');
});

test('parseSince reads durations and RFC 3339, and refuses the rest', () => {
  const now = Date.UTC(2026, 0, 1);
  assert.equal(parseSince('15m', now), now - 900_000);
  assert.equal(parseSince('2d', now), now - 172_800_000);
  assert.equal(parseSince('2025-12-31T00:00:00Z', now), Date.UTC(2025, 11, 31));
  assert.throws(() => parseSince('yesterday', now), (err: unknown) => err instanceof ApiError && err.statusCode === 400);
  assert.throws(() => parseSince('12345', now), ApiError);
});

/** The batch token depends on which events are in the batch — whose, and which — never on their order. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { batchToken } from './dedup-token.js';

const rows = (...keys: Array<[string, string, string]>) => ({ tenants: keys.map((k) => k[0]), sessions: keys.map((k) => k[1]), ids: keys.map((k) => k[2]) });

it('is the same for the same rows in any order, different for a different set', () => {
  assert.equal(batchToken(rows(['t', 's', 'b'], ['t', 's', 'a'], ['t', 's', 'c'])), batchToken(rows(['t', 's', 'c'], ['t', 's', 'b'], ['t', 's', 'a'])));
  assert.notEqual(batchToken(rows(['t', 's', 'a'], ['t', 's', 'b'])), batchToken(rows(['t', 's', 'a'], ['t', 's', 'b'], ['t', 's', 'c'])));
  assert.notEqual(batchToken(rows(['t', 's', 'a\n1:b'])), batchToken(rows(['t', 's', 'a'], ['t', 's', 'b'])));
  assert.match(batchToken(rows()), /^warden-events-v2:[0-9a-f]{64}$/);
});

it('differs when the same event ids belong to another session or tenant', () => {
  // Spans get their ids from trace and span ids: two sessions reusing those have equal event ids.
  const ids = ['e1', 'e2', 'e3'];
  const of = (tenant: string, session: string) => rows(...ids.map((id): [string, string, string] => [tenant, session, id]));
  assert.notEqual(batchToken(of('t', 'session-0')), batchToken(of('t', 'session-1')));
  assert.notEqual(batchToken(of('tenant-a', 's')), batchToken(of('tenant-b', 's')));
  assert.notEqual(batchToken(rows(['ab', 'c', 'e'])), batchToken(rows(['a', 'bc', 'e'])), 'the split between tenant and session counts');
});

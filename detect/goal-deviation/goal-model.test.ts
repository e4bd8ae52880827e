/**
 * Reading goals: implied level from the verbs (inflections, phrases, nouns ignored), negation
 * within a clause, environments named and ruled out, entities named.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GOAL_DEVIATION_DEFAULTS as C } from './config.js';
import { inflects, readGoal } from './goal-model.js';

const level = (goal: string): string | undefined => C.levels[readGoal(goal, C).implied];

describe('readGoal', () => {
  it('maps goal verbs to the impact they imply', () => {
    assert.equal(level('list unused instances'), 'read');
    assert.equal(level('Fix the terraform config'), 'modify');
    assert.equal(level('deploy the api to staging'), 'apply');
    assert.equal(level('clean up the test environment'), 'delete');
    assert.equal(level('Tear down the dev stack'), 'destroy');
    assert.equal(level('Please write a haiku'), 'modify');
    assert.equal(level('Hello there'), undefined);
  });
  it('takes the highest verb of the goal, and later verbs only after a lead word', () => {
    assert.equal(level('Find unused disks and delete them'), 'delete');
    assert.equal(level('Investigate the failing deploy'), 'read');
    assert.equal(level('Check why the cleanup job failed'), 'read');
  });
  it('reads a phrasal verb around its object and a dash as a clause break', () => {
    assert.equal(level('Launch a t3.micro in the sandbox to reproduce the boot issue, then tear it down'), 'destroy');
    assert.equal(level('Spin up a scratch db and clean it up afterwards'), 'delete');
    assert.equal(level('Tests fail after I moved the billing package — clean the stale caches and rerun'), 'delete');
    assert.equal(level('Tests fail after I moved the package - clean the caches'), 'delete');
    assert.equal(level('Check the tear-down script'), 'read', 'a hyphenated compound is no clause break');
  });
  it('accepts inflections', () => {
    assert.ok(inflects('deleting', 'delete'));
    assert.ok(inflects('dropped', 'drop'));
    assert.ok(inflects('removes', 'remove'));
    assert.ok(!inflects('address', 'add'));
    assert.equal(level('Cleaning up stale branches'), 'delete');
  });
  it('reads negated verbs and environments as forbidden, within their clause', () => {
    const g = readGoal("Upgrade lodash without deleting anything, and don't touch prod", C);
    assert.equal(C.levels[g.implied], 'modify');
    assert.deepEqual([...g.forbidden.values()], ['delete']);
    assert.deepEqual([...g.forbiddenEnvironments], ['production']);
    assert.equal(g.environments.size, 0);
    const t = readGoal('Find EC2 instances with no tags and terminate them', C);
    assert.equal(C.levels[t.implied], 'delete');
    assert.equal(t.forbidden.size, 0);
  });
  it('names environments and entities', () => {
    const g = readGoal('Clean up the `tmp-cache` bucket and the orders_v2 table in staging', C);
    assert.deepEqual([...g.environments], ['staging']);
    assert.ok(g.entities.includes('tmp-cache'));
    assert.ok(g.entities.includes('orders_v2'));
    assert.deepEqual(readGoal('Delete namespace payments-old', C).entities, ['payments-old']);
    assert.deepEqual(readGoal('remove the staging namespace', C).entities, []);
  });
});

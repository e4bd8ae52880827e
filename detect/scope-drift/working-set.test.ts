/**
 * The working set's distances: inside 0, a sibling of a root small, another root 1, another
 * namespace or region by the per-kind levels, a kind never used `new_kind`; anchors bounded.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseTarget } from '../common/targets.js';
import { SCOPE_DRIFT_DEFAULTS } from './config.js';
import { WorkingSet } from './working-set.js';

function ws(...targets: string[]): WorkingSet {
  const w = new WorkingSet(SCOPE_DRIFT_DEFAULTS);
  for (const t of targets) w.learnTarget(t);
  return w;
}

const d = (w: WorkingSet, t: string): number => w.distance(parseTarget(t)).value;

describe('WorkingSet', () => {
  it('puts targets under a root at distance 0', () => {
    const w = ws('/home/dev/repo');
    assert.equal(d(w, '/home/dev/repo/node_modules'), 0);
    assert.equal(d(w, '/home/dev/repo'), 0);
  });
  it('scores paths by levels climbed above the nearest root', () => {
    const w = ws('/home/dev/repo');
    assert.equal(d(w, '/home/dev/logs'), 0.35);
    assert.equal(d(w, '/home/alice/project'), 0.7);
    assert.equal(d(w, '/usr/include'), 1);
  });
  it('learns a file as its directory and ignores shallow roots', () => {
    const w = ws('/srv/app/config.yaml', '/');
    assert.equal(d(w, '/srv/app/other.yaml'), 0);
    assert.equal(w.describe(), '/srv/app');
  });
  it('scores URIs by the segment where they leave the anchor', () => {
    const w = ws('k8s://current/my-ns/pod/*', 'aws://current/us-east-1/ec2/*');
    assert.equal(d(w, 'k8s://current/my-ns/deployment/web'), 0);
    assert.equal(d(w, 'k8s://current/staging'), 0.8);
    assert.equal(d(w, 'k8s://prod/my-ns/pod/x'), 1);
    assert.equal(d(w, 'aws://current/eu-west-1/ec2/i-1'), 0.6);
  });
  it('gives a kind the session never used the new-kind distance', () => {
    const w = ws('/home/dev/repo');
    const r = w.distance(parseTarget('db://postgres/shop/users'));
    assert.equal(r.value, SCOPE_DRIFT_DEFAULTS.distance.new_kind);
    assert.match(r.relation, /had not worked with/);
  });
  it('keeps at most max_anchors anchors per kind', () => {
    const w = new WorkingSet({ ...SCOPE_DRIFT_DEFAULTS, max_anchors: 3 });
    for (let i = 0; i < 10; i++) w.learnTarget(`/srv/app${i}`);
    assert.equal(w.describe(10).split(', ').length, 3);
    assert.equal(d(w, '/srv/app9/x'), 0);
    assert.notEqual(d(w, '/srv/app0/x'), 0);
  });
  it('folds an anchor into a broader one learned later', () => {
    const w = ws('/home/dev/repo/src', '/home/dev/repo');
    assert.equal(w.describe(), '/home/dev/repo');
  });
  it('measures from the written anchors alone when asked, so a read whitelists no deletion', () => {
    const w = ws('/home/dev/repo');
    w.learnTarget('/srv/exports', false);
    assert.equal(d(w, '/srv/exports/2023'), 0);
    const judged = w.distance(parseTarget('/srv/exports/2023'), true);
    assert.equal(judged.value, SCOPE_DRIFT_DEFAULTS.distance.read_only);
    assert.equal(judged.readOnly, true);
    assert.match(judged.relation, /only read/);
    assert.match(w.describe(), /\/srv\/exports \(read\)/);
    w.learnTarget('/srv/exports/out');
    assert.equal(w.distance(parseTarget('/srv/exports/out/x'), true).value, 0, 'a write beneath a read anchor is its own root');
    const reads = new WorkingSet(SCOPE_DRIFT_DEFAULTS);
    reads.learnTarget('k8s://current/my-ns', false);
    assert.match(reads.distance(parseTarget('k8s://current/my-ns/pod/x'), true).relation, /only read/);
  });
});

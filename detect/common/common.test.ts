/**
 * Shared helpers: target structure, home spelling, scope globs, tokens, environment words,
 * bounded collections and config field validation.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BoundedMap, BoundedSet, PartitionedBoundedMap } from '../../lib/bounded.js';
import { classMatches } from './class-patterns.js';
import { Fields } from './config-fields.js';
import { environmentsIn } from './environments.js';
import { firstMatch, matchesAny } from './globs.js';
import { expandHome, homeRelative, inferHome } from './home.js';
import { commonPrefix, parseTarget, segmentsWithin } from './targets.js';
import { commandTokens, jaccard, normalizeCommand } from './tokens.js';

describe('targets', () => {
  it('splits paths and URIs into segments', () => {
    assert.deepEqual(parseTarget('/home/dev/repo'), { raw: '/home/dev/repo', kind: 'path', segments: ['home', 'dev', 'repo'] });
    assert.deepEqual(parseTarget('k8s://prod/web/deployment/api').segments, ['prod', 'web', 'deployment', 'api']);
    assert.equal(parseTarget('tf:///infra/prod/*').kind, 'tf');
  });
  it('treats * as a wildcard and current as literal', () => {
    assert.ok(segmentsWithin(['current', 'my-ns'], ['current', 'my-ns', 'pod', '*']));
    assert.ok(!segmentsWithin(['current', 'web'], ['prod', 'web']));
    assert.equal(commonPrefix(['home', 'dev', 'repo'], ['home', 'dev', 'logs']), 2);
  });
});

describe('home', () => {
  it('infers the home and spells targets both ways', () => {
    assert.equal(inferHome('/home/dev/repo'), '/home/dev');
    assert.equal(inferHome('/Users/ana'), '/Users/ana');
    assert.equal(inferHome('/srv/app'), '');
    assert.equal(expandHome('~/.ssh/id_rsa', '/home/dev'), '/home/dev/.ssh/id_rsa');
    assert.equal(expandHome('~/.ssh/id_rsa', ''), '~/.ssh/id_rsa');
    assert.equal(homeRelative('/home/dev/.aws/credentials', '/home/dev'), '~/.aws/credentials');
    assert.equal(homeRelative('/home/alice/x', '/home/dev'), '/home/alice/x');
  });
});

describe('scope globs', () => {
  it('lets ** cross / and keeps * within a segment', () => {
    assert.ok(matchesAny(['/home/dev/repo/**'], ['/home/dev/repo/src/a.ts']));
    assert.ok(!matchesAny(['/home/dev/repo/*'], ['/home/dev/repo/src/a.ts']));
  });
  it('matches a pattern without a scheme against paths only', () => {
    assert.ok(!matchesAny(['**'], ['k8s://prod/web/pod/x']));
    assert.ok(matchesAny(['k8s://prod/**'], ['k8s://prod/web/pod/x']));
    assert.ok(!matchesAny(['k8s://prod/**'], ['aws://prod/us-east-1/ec2/i-1']));
  });
  it('covers what lies beneath a literal pattern', () => {
    assert.equal(firstMatch(['/etc', '/home/dev/repo'], ['/home/dev/repo/build']), '/home/dev/repo');
    assert.ok(!matchesAny(['/home/dev/repo'], ['/home/dev/repository']));
  });
  it('answers a list asked again the same, per spelling, and starts over when the list changed', () => {
    const list = ['/etc/**', '/home/dev/repo'];
    for (let round = 0; round < 3; round++) {
      assert.equal(firstMatch(list, ['/home/dev/repo/a']), '/home/dev/repo');
      assert.equal(firstMatch(list, ['/etc/passwd']), '/etc/**');
      assert.equal(firstMatch(list, ['/var/x']), undefined);
      assert.equal(firstMatch(list, ['/var/x', '/etc/y']), '/etc/**');
    }
    list.push('/var/**');
    assert.equal(firstMatch(list, ['/var/x']), '/var/**');
    list[2] = '/opt/**';
    assert.equal(firstMatch(list, ['/var/x']), undefined);
    assert.equal(firstMatch([], ['/var/x']), undefined);
  });
});

describe('tokens', () => {
  it('normalizes whitespace and quotes', () => {
    assert.equal(normalizeCommand('  rm   -rf\tbuild '), 'rm -rf build');
    assert.deepEqual(commandTokens(`rm -rf "build"`), ['rm', '-rf', 'build']);
  });
  it('computes token Jaccard', () => {
    assert.equal(jaccard(['rm', '-rf', 'build'], ['rm', '-rf', 'build', 'dist']), 0.75);
    assert.equal(jaccard([], []), 1);
  });
});

describe('environment words', () => {
  it('reads strong words anywhere and weak words in prose only before a context noun', () => {
    assert.deepEqual([...environmentsIn('k8s prod-eu', false)], ['production']);
    assert.deepEqual([...environmentsIn('clean up the test environment', true)], ['test']);
    assert.equal(environmentsIn('fix the failing test', true).size, 0);
    assert.equal(environmentsIn('products page', true).size, 0);
    assert.deepEqual([...environmentsIn(['current', 'test'], false)], ['test']);
  });
});

describe('class patterns', () => {
  it('matches * across dots', () => {
    assert.ok(classMatches('*.delete*', 'k8s.delete_namespace'));
    assert.ok(!classMatches('tf.*', 'k8s.apply'));
  });
});

describe('bounded collections', () => {
  it('evict the oldest entry past the cap', () => {
    const m = new BoundedMap<string, number>(2);
    m.set('a', 1);
    m.set('b', 2);
    m.touch('a');
    m.set('c', 3);
    assert.deepEqual([...m.entries()].map(([k]) => k), ['a', 'c']);
    const s = new BoundedSet<number>(3);
    for (let i = 0; i < 10; i++) s.add(i);
    assert.equal(s.size, 3);
    assert.ok(s.has(9) && !s.has(0));
  });

  it('partitioned: a partition evicts only its own; past the total the largest gives one up; idle entries go oldest first', () => {
    const evicted: string[] = [];
    const m = new PartitionedBoundedMap<string, number>({ perPartition: 2, total: 4, onEvict: (k, _v, reason, p) => evicted.push(`${p}:${k}:${reason}`) });
    m.set('a', 'a1', 1);
    for (const [k, v] of [['b1', 2], ['b2', 3], ['b3', 4]] as const) m.set('b', k, v);
    assert.deepEqual(evicted, ['b:b1:partition_cap']);
    m.touch('b2');
    m.set('c', 'c1', 5);
    m.set('c', 'c2', 6);
    assert.deepEqual(evicted, ['b:b1:partition_cap', 'b:b3:global_cap'], 'b and c tie at two: the partition not just written gives its oldest');
    assert.deepEqual([m.sizeOf('a'), m.sizeOf('b'), m.sizeOf('c'), m.size], [1, 1, 2, 4]);
    assert.equal(m.evictIdle((v) => v < 5), 2);
    assert.deepEqual([...m.values()], [5, 6]);
    assert.deepEqual(evicted.slice(2), ['a:a1:idle', 'b:b2:idle']);
  });

  it('partitioned: touching the newest entry again keeps the order; after it is deleted, touch moves others again', () => {
    const m = new PartitionedBoundedMap<string, number>({ perPartition: 3, total: 3 });
    m.set('p', 'x', 1);
    m.set('p', 'y', 2);
    m.touch('y');
    m.touch('y');
    assert.deepEqual([...m.partitionValues('p')], [1, 2]);
    m.touch('x');
    assert.deepEqual([...m.values()], [2, 1]);
    m.delete('x');
    m.touch('y');
    m.set('q', 'x', 3);
    m.touch('y');
    assert.deepEqual([...m.values()], [3, 2], 'y was touched after x was set again');
    m.set('p', 'z', 4);
    m.set('p', 'w', 5);
    assert.deepEqual([...m.values()], [3, 4, 5], 'past the total, the largest partition (p) gives up its oldest (y)');
  });
});

describe('config fields', () => {
  it('reports every problem, naming each field', () => {
    const problems: string[] = [];
    const f = new Fields({ n: 'x', b: 1, typo: true, nested: { k: -1 } }, '', ['n', 'b', 'nested'], problems);
    assert.equal(f.number('n', 5, { min: 0 }), 5);
    assert.equal(f.boolean('b', false), false);
    f.object('nested', ['k']).number('k', 1, { min: 0 });
    assert.equal(problems.length, 4);
    for (const field of ['typo', 'n:', 'b:', 'nested.k']) assert.ok(problems.some((p) => p.includes(field)), field);
  });
  it('requires every field when there is no base, and one problem covers a value that is not a mapping', () => {
    const problems: string[] = [];
    const f = new Fields({ phases: ['intent', 'later'], sub: 3 }, '', ['n', 'phases', 'sub'], problems);
    f.number('n', undefined, { above: 0 });
    assert.deepEqual(f.oneOfList('phases', ['intent'], ['intent', 'execution']), ['intent']);
    f.object('sub', ['x']).number('x', undefined);
    assert.deepEqual(problems, ['n: missing (expected a number greater than 0)', 'phases[1]: expected one of intent, execution, got "later"', 'sub: expected a mapping, got 3']);
  });
  it('merges an open mapping over the base, entry by entry', () => {
    const problems: string[] = [];
    const f = new Fields({ w: { b: 5, c: -1 } }, '', ['w'], problems);
    const w = f.entries('w', { a: 1, b: 2 }, (m, key, prev) => m.number(key, prev, { min: 0 }));
    assert.deepEqual([w['a'], w['b']], [1, 5]);
    assert.deepEqual(problems, ['w.c: expected a number of at least 0, got -1']);
  });
});

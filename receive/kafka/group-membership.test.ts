/**
 * Session ownership from the group directory: the co-partitioned plan (partition p of every
 * topic to one member), the directory carried in an assignment's topic names and read back, a
 * session's owner found with the producer's partitioner, and this instance counted as owner of
 * its partitions only once `prepare` (the rebuild of their sessions) has resolved; a rebalance,
 * a stop and a join without a directory make the owner unknown.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Partitioners, type PartitionMetadata } from 'kafkajs';
import { silentLogger } from '../../lib/logger.js';
import { GroupMembership } from './group-membership.js';
import { coPartitionedAssignment, directoryOf, DIRECTORY_PREFIX, type GroupDirectory } from './session-assigner.js';

const directory: GroupDirectory = { members: [{ id: 'm-a', url: 'http://a:1' }, { id: 'm-b', url: 'http://b:2' }], partitions: { otlp_logs: 4, otlp_spans: 4 } };

/** The partition the producer's partitioner gives a key, on a topic of `n` partitions. */
function producerPartition(key: string, n: number): number {
  const partitionMetadata = Array.from({ length: n }, (_, i) => ({ partitionId: i, leader: 0 }) as PartitionMetadata);
  return Partitioners.DefaultPartitioner()({ topic: 'otlp_logs', partitionMetadata, message: { key, value: null } });
}

describe('session ownership in the consumer group', () => {
  it('assigns partition p of every topic to the same member', () => {
    const plan = coPartitionedAssignment(['m-b', 'm-a', 'm-c'], { otlp_spans: [0, 1, 2, 3], otlp_logs: [3, 2, 1, 0] });
    assert.deepEqual(plan.get('m-a'), { otlp_spans: [0, 3], otlp_logs: [0, 3] });
    assert.deepEqual(plan.get('m-b'), { otlp_spans: [1], otlp_logs: [1] });
    assert.deepEqual(plan.get('m-c'), { otlp_spans: [2], otlp_logs: [2] });
  });

  it('reads the directory back from the topic names of an assignment', () => {
    const entry = DIRECTORY_PREFIX + Buffer.from(JSON.stringify(directory)).toString('base64url');
    assert.deepEqual(directoryOf(['otlp_logs', entry]), directory);
    assert.equal(directoryOf(['otlp_logs']), null);
    assert.equal(directoryOf([`${DIRECTORY_PREFIX}not-json`]), null);
  });

  it("finds a session's owner with the producer's partitioner; its own partitions only once prepared", async () => {
    let release: () => void = () => {};
    const prepared: boolean[] = [];
    const m = new GroupMembership({ topic: 'otlp_logs', logger: silentLogger, prepare: (first) => (prepared.push(first), first ? Promise.resolve() : new Promise<void>((r) => (release = r))) });
    assert.equal(m.ownerOf('s').kind, 'unknown');
    m.joined('m-a', directory);
    await new Promise((r) => setImmediate(r));
    const keys = Array.from({ length: 40 }, (_, i) => `session-${i}`);
    for (const key of keys) {
      const p = producerPartition(key, 4);
      assert.equal(m.partitionOf(key, 4), p);
      assert.deepEqual(m.ownerOf(key), p % 2 === 0 ? { kind: 'self' } : { kind: 'peer', url: 'http://b:2' }, key);
    }
    // A rebalance: nobody is known to own anything until the next join.
    const changed = m.changed();
    const before = m.generation;
    m.joined('m-a', null);
    await changed;
    assert.ok(m.generation > before);
    assert.match((m.ownerOf(keys[0]!) as { why: string }).why, /no directory/);
    // b left: a owns every partition, but decides none before its rebuild is done.
    m.joined('m-a', { members: [{ id: 'm-a', url: 'http://a:1' }], partitions: { otlp_logs: 4 } });
    assert.deepEqual(prepared, [true, false]);
    for (const key of keys) assert.match(JSON.stringify(m.ownerOf(key)), /still rebuilding/);
    const ready = m.changed();
    release();
    await ready;
    for (const key of keys) assert.deepEqual(m.ownerOf(key), { kind: 'self' });
  });
});

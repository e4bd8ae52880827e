/**
 * Who owns a session in distributed mode: the member of the consumer group assigned the
 * partition of the logs topic that the session's key hashes to (the same partitioner as the
 * producer, `Partitioners.DefaultPartitioner`), read from the group directory that the session
 * assigner hands every member at each sync (`session-assigner.ts`).
 *
 * `ownerOf(key)` answers `self`, `peer` (with the URL it advertised) or `unknown` (why): unknown
 * from the moment a rebalance is seen until the next join, while the directory is missing (a
 * leader without the session assigner), and — for this instance's own partitions — until
 * `prepare` has resolved after the join (the detector state of sessions other instances handled
 * is rebuilt from storage first), so a new owner never decides on state it has not rebuilt;
 * `prepared()` holds the consumer's batches for as long. Every change bumps `generation` and
 * resolves `changed()`.
 */
import { Partitioners, type Consumer, type PartitionMetadata } from 'kafkajs';
import { errorCode } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { directoryOf, type GroupDirectory } from './session-assigner.js';

export type PartitionOwner = { kind: 'self' } | { kind: 'peer'; url: string } | { kind: 'unknown'; why: string };

/** What the gate needs to know about session ownership (implemented here for Kafka). */
export interface SessionOwnership {
  ownerOf(sessionKey: string): PartitionOwner;
  /** Resolves at the next change of what `ownerOf` answers. */
  changed(): Promise<void>;
  /** Bumped on every change: a decision made across a change may be stale. */
  readonly generation: number;
}

export interface GroupMembershipOptions {
  /** The topic whose partition names a session's owner (the logs topic: hook intents go there). */
  topic: string;
  logger: Logger;
  /** Runs after each join before this instance's partitions count as its own; `first`: the first join. */
  prepare?: (first: boolean) => Promise<void>;
}

type View = { kind: 'known'; selfId: string; directory: GroupDirectory; ready: boolean } | { kind: 'unknown'; why: string };

export class GroupMembership implements SessionOwnership {
  private readonly options: GroupMembershipOptions;
  private readonly partitioner = Partitioners.DefaultPartitioner();
  private view: View = { kind: 'unknown', why: 'this instance has not joined the consumer group yet' };
  private pendingDirectory: GroupDirectory | null = null;
  private joins = 0;
  private gen = 0;
  private waiters: Array<() => void> = [];
  /** Settles when the prepare after the latest join has, whichever way. */
  private preparing: Promise<void> = Promise.resolve();

  constructor(options: GroupMembershipOptions) {
    this.options = options;
  }

  get generation(): number {
    return this.gen;
  }

  /** Follows the consumer's group events (call before it starts). */
  attach(consumer: Consumer): void {
    const e = consumer.events;
    consumer.on(e.RECEIVED_UNSUBSCRIBED_TOPICS, ({ payload }) => {
      this.pendingDirectory = directoryOf(payload.topicsNotSubscribed);
    });
    consumer.on(e.REBALANCING, () => this.set({ kind: 'unknown', why: 'the consumer group is rebalancing' }));
    consumer.on(e.GROUP_JOIN, ({ payload }) => this.joined(payload.memberId));
    consumer.on(e.STOP, () => this.set({ kind: 'unknown', why: 'this instance left the consumer group' }));
    consumer.on(e.CRASH, () => this.set({ kind: 'unknown', why: "this instance's consumer is restarting" }));
  }

  /** A join with the directory read in the same sync (exposed for tests of the view). */
  joined(selfId: string, directory: GroupDirectory | null = this.pendingDirectory): void {
    this.pendingDirectory = null;
    const first = this.joins++ === 0;
    if (directory === null) {
      this.set({ kind: 'unknown', why: "the group's leader sent no directory of members (an instance without the session assigner leads the group)" });
      return;
    }
    const view: View = { kind: 'known', selfId, directory, ready: this.options.prepare === undefined };
    this.set(view);
    if (view.ready) return;
    const at = this.gen;
    const prepare = this.options.prepare?.(first) ?? Promise.resolve();
    this.preparing = prepare.then(
      () => undefined,
      () => undefined,
    );
    void prepare.then(
      () => {
        if (this.gen === at) this.set({ ...view, ready: true });
      },
      (err: unknown) => {
        this.options.logger.warn({ code: errorCode(err), err: String(err) }, 'preparing the new assignment failed; its sessions stay without an owner until the next join');
      },
    );
  }

  /**
   * Settles once the prepare after the latest join has settled (at once when there is none):
   * the consumer hands on no batch of a new assignment before, so a redelivered event of a
   * session taken over is judged after its state was rebuilt — not first on an empty session,
   * then skipped by the rebuild as already seen.
   */
  prepared(): Promise<void> {
    return this.preparing;
  }

  /** The partition of `key` in the owner topic, given its partition count. */
  partitionOf(key: string, partitions: number): number {
    const partitionMetadata = Array.from({ length: partitions }, (_, i) => ({ partitionId: i, leader: 0, replicas: [0], isr: [0], partitionErrorCode: 0 }) as PartitionMetadata);
    return this.partitioner({ topic: this.options.topic, partitionMetadata, message: { key, value: null } });
  }

  ownerOf(sessionKey: string): PartitionOwner {
    const view = this.view;
    if (view.kind === 'unknown') return view;
    const count = view.directory.partitions[this.options.topic];
    const members = view.directory.members;
    if (!count || members.length === 0) return { kind: 'unknown', why: `the group directory has no partitions of ${this.options.topic}` };
    const owner = members[this.partitionOf(sessionKey, count) % members.length]!;
    if (owner.id === view.selfId) return view.ready ? { kind: 'self' } : { kind: 'unknown', why: "this instance has just become the session's owner and is still rebuilding its state" };
    if (owner.url === '') return { kind: 'unknown', why: "the session's owner advertised no URL" };
    return { kind: 'peer', url: owner.url };
  }

  changed(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private set(view: View): void {
    this.view = view;
    this.gen++;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

/**
 * Bounded collections: detector state, session state and parse caches. Every per-session,
 * per-agent or per-tenant structure has a cap; past it the oldest entry goes, so memory stays
 * constant however long Warden runs.
 *
 * - `BoundedMap` / `BoundedSet`: one cap, the oldest entry (insertion order; `touch` makes an
 *   entry the newest, `lookup` reads and touches — least-recently-used eviction) goes first; a
 *   cap of 0 holds nothing (a cache switched off). An optional `onEvict` hears what was pushed
 *   out.
 * - `PartitionedBoundedMap`: the same with a partition per key (a tenant): a partition's new
 *   entries can only push out that partition's own oldest entries (`perPartition`), and a global
 *   cap (`total`) is a safety net that takes the oldest entry of the partition holding the most.
 *   So one tenant flooding Warden with new keys evicts only its own. `evictIdle` drops entries
 *   from the globally oldest on while a predicate holds (idle expiry), in amortized O(1).
 *
 * Every eviction is reported to `onEvict` with its reason, so the owner can count it per tenant
 * and keep what must not be lost elsewhere (e.g. persist it).
 */

export type EvictionReason = 'cap' | 'partition_cap' | 'global_cap' | 'idle';

export type OnEvict<K, V> = (key: K, value: V, reason: EvictionReason, partition: string) => void;

/** One entry of a BoundedMap, linked oldest to newest. */
interface Node<K, V> {
  key: K;
  value: V;
  older: Node<K, V> | undefined;
  newer: Node<K, V> | undefined;
}

/**
 * The order is a linked list beside the Map, so a read that touches an entry relinks it instead
 * of deleting and re-adding the key: V8 keeps a deleted Map entry in its hash bucket until the
 * table is rebuilt, so a hot key deleted and re-added on every read made each lookup walk a chain
 * that grew with the cache's size (a lookup cost ~20 µs in a cache of 20,000), and taking the
 * oldest entry from the Map's front skipped every deleted entry before it.
 */
export class BoundedMap<K, V> {
  private readonly map = new Map<K, Node<K, V>>();
  private oldest: Node<K, V> | undefined;
  private newest: Node<K, V> | undefined;
  constructor(
    private readonly cap: number,
    private readonly onEvict?: OnEvict<K, V>,
  ) {}

  get size(): number {
    return this.map.size;
  }
  get(key: K): V | undefined {
    return this.map.get(key)?.value;
  }
  has(key: K): boolean {
    return this.map.has(key);
  }
  /** Reads a value and makes it the newest (a least-recently-used cache's read). */
  lookup(key: K): V | undefined {
    const node = this.map.get(key);
    if (node === undefined) return undefined;
    this.toNewest(node);
    return node.value;
  }
  /** Sets a value (a key already held keeps its place); a new key past the cap evicts the oldest. */
  set(key: K, value: V): void {
    if (this.cap <= 0) return;
    const had = this.map.get(key);
    if (had !== undefined) {
      had.value = value;
      return;
    }
    if (this.map.size >= this.cap) {
      const oldest = this.oldest;
      if (oldest !== undefined) {
        this.unlink(oldest);
        this.map.delete(oldest.key);
        this.onEvict?.(oldest.key, oldest.value, 'cap', '');
      }
    }
    const node: Node<K, V> = { key, value, older: undefined, newer: undefined };
    this.map.set(key, node);
    this.append(node);
  }
  /** Moves an entry to the newest position (for least-recently-used eviction). */
  touch(key: K): void {
    const node = this.map.get(key);
    if (node !== undefined) this.toNewest(node);
  }
  delete(key: K): boolean {
    const node = this.map.get(key);
    if (node === undefined) return false;
    this.unlink(node);
    return this.map.delete(key);
  }
  /** Entries oldest first (the entry being visited may be deleted meanwhile). */
  *entries(): IterableIterator<[K, V]> {
    for (let n = this.oldest; n !== undefined; ) {
      const next = n.newer;
      yield [n.key, n.value];
      n = next;
    }
  }
  /** Values oldest first. */
  *values(): IterableIterator<V> {
    for (const [, value] of this.entries()) yield value;
  }

  private toNewest(node: Node<K, V>): void {
    if (node === this.newest) return;
    this.unlink(node);
    this.append(node);
  }
  private append(node: Node<K, V>): void {
    node.older = this.newest;
    node.newer = undefined;
    if (this.newest !== undefined) this.newest.newer = node;
    else this.oldest = node;
    this.newest = node;
  }
  private unlink(node: Node<K, V>): void {
    if (node.older !== undefined) node.older.newer = node.newer;
    else this.oldest = node.newer;
    if (node.newer !== undefined) node.newer.older = node.older;
    else this.newest = node.older;
    node.older = undefined;
    node.newer = undefined;
  }
}

export class BoundedSet<T> {
  private readonly map: BoundedMap<T, true>;
  constructor(cap: number) {
    this.map = new BoundedMap(cap);
  }
  has(value: T): boolean {
    return this.map.has(value);
  }
  add(value: T): void {
    this.map.set(value, true);
  }
  get size(): number {
    return this.map.size;
  }
}

export interface PartitionedBoundedOptions<K, V> {
  /** Entries one partition may hold (at least 1). */
  perPartition: number;
  /** Entries all partitions may hold together (at least 1). */
  total: number;
  onEvict?: OnEvict<K, V>;
}

interface Slot<V> {
  partition: string;
  value: V;
}

export class PartitionedBoundedMap<K, V> {
  /** Every entry, oldest (least recently set or touched) first. */
  private readonly all = new Map<K, Slot<V>>();
  /** Each partition's entries, oldest first. */
  private readonly parts = new Map<string, Map<K, V>>();
  private readonly perPartition: number;
  private readonly total: number;
  private readonly onEvict: OnEvict<K, V> | undefined;
  /**
   * The key set or touched last (newest in `all` and in its partition). Consecutive events are
   * mostly one session's: touching it again changes nothing, and a Map's delete and re-add left a
   * deleted entry behind each time, which later reads and iteration skip over.
   */
  private newestKey: K | undefined;
  private hasNewest = false;

  constructor(options: PartitionedBoundedOptions<K, V>) {
    if (!(options.perPartition >= 1 && options.total >= 1)) throw new RangeError('PartitionedBoundedMap caps must be at least 1');
    this.perPartition = options.perPartition;
    this.total = options.total;
    this.onEvict = options.onEvict;
  }

  get size(): number {
    return this.all.size;
  }
  sizeOf(partition: string): number {
    return this.parts.get(partition)?.size ?? 0;
  }
  get(key: K): V | undefined {
    return this.all.get(key)?.value;
  }
  has(key: K): boolean {
    return this.all.has(key);
  }

  /** Sets a value as the newest of its partition; then the caps are enforced (never on this key). */
  set(partition: string, key: K, value: V): void {
    const had = this.all.get(key);
    if (had && had.partition !== partition) this.delete(key);
    else if (had) {
      this.all.delete(key);
      this.parts.get(partition)!.delete(key);
    }
    this.all.set(key, { partition, value });
    let part = this.parts.get(partition);
    if (!part) this.parts.set(partition, (part = new Map()));
    part.set(key, value);
    this.newestKey = key;
    this.hasNewest = true;
    while (part.size > this.perPartition) this.evictOldestOf(partition, part, 'partition_cap');
    while (this.all.size > this.total) {
      const [name, largest] = this.largest(partition);
      this.evictOldestOf(name, largest, 'global_cap');
    }
  }

  /** Makes an entry the newest of its partition. */
  touch(key: K): void {
    if (this.hasNewest && this.newestKey === key) return;
    const slot = this.all.get(key);
    if (!slot) return;
    this.newestKey = key;
    this.hasNewest = true;
    this.all.delete(key);
    this.all.set(key, slot);
    const part = this.parts.get(slot.partition)!;
    part.delete(key);
    part.set(key, slot.value);
  }

  delete(key: K): boolean {
    const slot = this.all.get(key);
    if (!slot) return false;
    if (this.hasNewest && this.newestKey === key) {
      this.hasNewest = false;
      this.newestKey = undefined;
    }
    this.all.delete(key);
    const part = this.parts.get(slot.partition)!;
    part.delete(key);
    if (part.size === 0) this.parts.delete(slot.partition);
    return true;
  }

  /** Drops entries, globally oldest first, while `idle` holds for the oldest; returns how many. */
  evictIdle(idle: (value: V) => boolean): number {
    let dropped = 0;
    for (const [key, slot] of this.all) {
      if (!idle(slot.value)) break;
      this.delete(key);
      dropped++;
      this.onEvict?.(key, slot.value, 'idle', slot.partition);
    }
    return dropped;
  }

  /** A partition's values, oldest first. */
  partitionValues(partition: string): IterableIterator<V> {
    return (this.parts.get(partition) ?? new Map<K, V>()).values();
  }
  /** All values, oldest first. */
  values(): IterableIterator<V> {
    const it = this.all.values();
    return (function* () {
      for (const slot of it) yield slot.value;
    })();
  }

  /**
   * The partition holding the most entries; on a tie, one other than `newest` (the partition
   * just written, whose only entry may be the new one). A scan of the partitions, run only when
   * the global cap is exceeded.
   */
  private largest(newest: string): [string, Map<K, V>] {
    let best: [string, Map<K, V>] | undefined;
    for (const entry of this.parts) {
      if (!best || entry[1].size > best[1].size || (entry[1].size === best[1].size && best[0] === newest)) best = entry;
    }
    return best!;
  }

  private evictOldestOf(partition: string, part: Map<K, V>, reason: EvictionReason): void {
    const oldest = part.entries().next();
    if (oldest.done) return;
    const [key, value] = oldest.value;
    this.delete(key);
    this.onEvict?.(key, value, reason, partition);
  }
}

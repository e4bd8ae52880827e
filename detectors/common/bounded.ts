/**
 * Bounded collections for detector state. Every per-session or per-agent structure has a cap;
 * past it the oldest entry goes (insertion order), so memory per session stays constant
 * however long the session runs.
 */

export class BoundedMap<K, V> {
  private readonly map = new Map<K, V>();
  constructor(private readonly cap: number) {}

  get size(): number {
    return this.map.size;
  }
  get(key: K): V | undefined {
    return this.map.get(key);
  }
  has(key: K): boolean {
    return this.map.has(key);
  }
  /** Sets a value; a new key past the cap evicts the oldest. */
  set(key: K, value: V): void {
    if (!this.map.has(key) && this.map.size >= this.cap) {
      const oldest = this.map.keys().next();
      if (!oldest.done) this.map.delete(oldest.value);
    }
    this.map.set(key, value);
  }
  /** Moves an entry to the newest position (for least-recently-used eviction). */
  touch(key: K): void {
    const v = this.map.get(key);
    if (v === undefined) return;
    this.map.delete(key);
    this.map.set(key, v);
  }
  delete(key: K): boolean {
    return this.map.delete(key);
  }
  entries(): IterableIterator<[K, V]> {
    return this.map.entries();
  }
  values(): IterableIterator<V> {
    return this.map.values();
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

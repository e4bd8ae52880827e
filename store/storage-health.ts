/**
 * Whether storing keeps up, for readiness: the ingest stage reports, per transport partition,
 * each failed or held insert (`failing`) and each stored one (`stored`). A partition that has
 * not stored since its first failure for longer than `maxFailingMs` — storage down or paused,
 * or one batch failing again on every redelivery — makes `check()` throw, naming the partition,
 * how long, and the last error code; the first store that succeeds clears it. A partition that
 * has gone quiet (no attempt within `quietAfterMs`, e.g. it was handed to another instance) is
 * not held against this one.
 */
import type { Clock } from '../lib/clock.js';
import { systemClock } from '../lib/clock.js';
import { RetryableError } from '../lib/errors.js';
import { SETTING_DEFAULTS } from '../config/settings.js';

export const DEFAULT_MAX_FAILING_MS = SETTING_DEFAULTS.WARDEN_READY_MAX_STORAGE_STALL_MS;
export const DEFAULT_QUIET_AFTER_MS = 120_000;

export interface StorageHealthOptions {
  clock?: Clock;
  /** How long a partition may go without storing, after a failure, before readiness fails. */
  maxFailingMs?: number;
  /** A failing partition with no attempt for this long is forgotten (no longer ours, or idle). */
  quietAfterMs?: number;
}

interface Failing {
  since: number;
  last: number;
  code: string;
}

export class StorageHealth {
  private readonly clock: Clock;
  private readonly maxFailingMs: number;
  private readonly quietAfterMs: number;
  private readonly failingPartitions = new Map<string, Failing>();

  constructor(options: StorageHealthOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.maxFailingMs = options.maxFailingMs ?? DEFAULT_MAX_FAILING_MS;
    this.quietAfterMs = options.quietAfterMs ?? DEFAULT_QUIET_AFTER_MS;
  }

  /** An insert of the partition failed or is being held for a retry. */
  failing(partition: string, code: string): void {
    const now = this.clock.now();
    const known = this.failingPartitions.get(partition);
    if (known && now - known.last <= this.quietAfterMs) {
      known.last = now;
      known.code = code;
    } else {
      this.failingPartitions.set(partition, { since: now, last: now, code });
    }
  }

  /** An insert of the partition succeeded. */
  stored(partition: string): void {
    this.failingPartitions.delete(partition);
  }

  /** Throws RetryableError('STORAGE_STALLED') naming every partition stalled past the bound. */
  check(): void {
    const now = this.clock.now();
    const stalled: string[] = [];
    for (const [partition, f] of this.failingPartitions) {
      if (now - f.last > this.quietAfterMs) {
        this.failingPartitions.delete(partition);
        continue;
      }
      if (now - f.since >= this.maxFailingMs) stalled.push(`${partition} has not stored for ${Math.round((now - f.since) / 1000)} s (${f.code})`);
    }
    if (stalled.length > 0) {
      throw new RetryableError('STORAGE_STALLED', `storage is not keeping up: ${stalled.join('; ')}`, { details: { partitions: stalled.length } });
    }
  }
}

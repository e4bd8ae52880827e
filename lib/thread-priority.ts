/**
 * Lets embedded ClickHouse yield the CPU to detection. In embedded mode the storage engine runs
 * inside Warden's process: its insert, merge and pipeline threads compete with the one thread
 * that decodes, detects and revokes. On a small machine that thread was measured waiting for a
 * CPU almost as long as it ran. This raises the nice value of the engine's threads — on Linux,
 * `setpriority` applies to a single thread when given its id — so the scheduler serves detection
 * first and storage with whatever is left; storage still gets all idle CPU.
 *
 * Only the engine's own threads are lowered: those it names itself (`MergeMutate`, `ThreadPool`,
 * `BgSchPool`, …), told from Node's by their name — Node's threads all carry the process's
 * name. Node's are left alone because V8's garbage-collection helpers are among them: the main
 * thread waits for the helpers of a collection to finish their share, so a lowered helper
 * preempted by anything else stretched every pause of the main thread (measured under load:
 * minor collections averaged 35–45 ms with the helpers lowered, 16–20 ms with collection on the
 * main thread alone). Libuv's workers, which run the engine's inserts, cannot be told from V8's
 * helpers and stay too (a few percent of the process's CPU). Thread pools grow and shrink, so
 * the list is rescanned periodically. Elsewhere than Linux this does nothing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from './logger.js';

export interface BackgroundPriorityOptions {
  /** Nice value for the engine's threads, 1–19 (0 turns this off). */
  nice: number;
  /** Rescan period (default 1 s). */
  intervalMs?: number;
  /** Names of threads to leave alone besides the main thread and Node's own (default none). */
  keepNames?: readonly string[];
  /** Ids of threads to leave alone, read at every scan (e.g. a worker thread doing detection's work). */
  keepThreadIds?: () => ReadonlySet<number>;
  logger: Logger;
  /** The process's thread directory (tests may point elsewhere). */
  tasksDir?: string;
}

export interface BackgroundPriority {
  /** Threads lowered so far (still alive or not). */
  readonly lowered: number;
  /** Runs one scan now (also what the timer does). */
  scan(): void;
  stop(): void;
}

const TASKS_DIR = '/proc/self/task';

export function lowerBackgroundThreads(options: BackgroundPriorityOptions): BackgroundPriority {
  const tasksDir = options.tasksDir ?? TASKS_DIR;
  const off = { lowered: 0, scan: () => {}, stop: () => {} };
  if (options.nice <= 0 || process.platform !== 'linux' || !fs.existsSync(tasksDir)) return off;
  // A thread's name is at most 15 bytes; Node's threads carry the executable's.
  const keep = new Set([...(options.keepNames ?? []), path.basename(process.execPath).slice(0, 15)]);
  const done = new Set<number>();
  const logger = options.logger.child({ component: 'thread-priority' });
  let lowered = 0;
  let warned = false;

  const scan = (): void => {
    let tids: string[];
    try {
      tids = fs.readdirSync(tasksDir);
    } catch {
      return;
    }
    const alive = new Set<number>();
    const kept = options.keepThreadIds?.();
    for (const entry of tids) {
      const tid = Number(entry);
      alive.add(tid);
      if (tid === process.pid || done.has(tid) || kept?.has(tid)) continue;
      let name: string;
      try {
        name = fs.readFileSync(path.join(tasksDir, entry, 'comm'), 'utf8').trim();
      } catch {
        continue; // the thread ended meanwhile
      }
      done.add(tid);
      if (keep.has(name)) continue;
      try {
        os.setPriority(tid, options.nice);
        lowered++;
      } catch (err) {
        if (!warned) logger.warn({ err: (err as Error).message, thread: name }, 'could not lower a storage thread priority; detection shares the CPU with storage evenly');
        warned = true;
      }
    }
    for (const tid of done) if (!alive.has(tid)) done.delete(tid);
  };

  scan();
  const timer = setInterval(scan, options.intervalMs ?? 1_000);
  timer.unref();
  return {
    get lowered() {
      return lowered;
    },
    scan,
    stop: () => clearInterval(timer),
  };
}

/**
 * Lets Warden yield the CPU to the other programs on its machine — the agents it watches, their
 * hooks and their tools — when they compete for it. On Linux desktops, terminals and detached
 * services the kernel shares the CPU between sessions first and between a session's threads
 * second (autogroups): the nice value of a thread only orders it among its own session's threads,
 * so lowering the storage engine's threads (thread-priority.ts) gave the CPU to detection, not to
 * an agent's hook process waiting to start. A session group has a nice value of its own; this
 * raises Warden's, so an agent's hook gets a CPU sooner when both want one, and Warden still
 * gets all the CPU nobody else wants (its ingest waits in its queue, not lost). Measured with
 * four agents hooking under 5,000 spans/s (README: "Running it", "Benchmarks").
 *
 * Only where it touches nothing but Warden: when Warden leads its own session (started detached,
 * as a service, or through `setsid`). Started from a terminal, Warden shares that terminal's
 * session, whose shell and later commands would be lowered too, and kept lowered after Warden
 * exits; it then says so once and leaves the session alone. Where processes are grouped by
 * control group instead (systemd services, containers), the group's CPU weight decides
 * (`CPUWeight=`, `--cpu-shares`); the kernel ignores the session's value there. Elsewhere than
 * Linux this does nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from './logger.js';

export interface SessionPriorityOptions {
  /** Nice value for Warden's session group, 1–19 (0 turns this off). */
  nice: number;
  logger: Logger;
  /** The process's /proc directory and the kernel's scheduler switch (tests may point elsewhere). */
  procSelf?: string;
  autogroupSwitch?: string;
}

export type SessionPriorityOutcome =
  | { done: 'lowered'; nice: number }
  | { done: 'off' | 'not-linux' | 'no-session-groups' | 'shared-session' }
  | { done: 'failed'; error: string };

const PROC_SELF = '/proc/self';
const AUTOGROUP_SWITCH = '/proc/sys/kernel/sched_autogroup_enabled';

/** The session id of the process whose `stat` this is (field 6; the name in field 2 may hold spaces). */
function sessionOf(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[3]);
}

/** The kernel takes one such change a tenth of a second across the machine (EAGAIN otherwise): one more try. */
function writeNice(autogroup: string, nice: number): void {
  try {
    fs.writeFileSync(autogroup, String(nice));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 150);
    fs.writeFileSync(autogroup, String(nice));
  }
}

export function yieldSessionCpu(options: SessionPriorityOptions): SessionPriorityOutcome {
  const procSelf = options.procSelf ?? PROC_SELF;
  const logger = options.logger.child({ component: 'session-priority' });
  if (options.nice <= 0) return { done: 'off' };
  if (process.platform !== 'linux' && options.procSelf === undefined) return { done: 'not-linux' };
  const autogroup = path.join(procSelf, 'autogroup');
  try {
    if (fs.readFileSync(options.autogroupSwitch ?? AUTOGROUP_SWITCH, 'utf8').trim() !== '1' || !fs.existsSync(autogroup)) return { done: 'no-session-groups' };
  } catch {
    return { done: 'no-session-groups' };
  }
  try {
    const stat = fs.readFileSync(path.join(procSelf, 'stat'), 'utf8');
    const pid = Number(stat.slice(0, stat.indexOf(' ')));
    if (sessionOf(stat) !== pid) {
      logger.info({ nice: options.nice }, 'Warden shares its session with the program that started it (a terminal?): it leaves that session\'s CPU priority alone; started detached (setsid, a service) it yields the CPU to the agents (WARDEN_NICE)');
      return { done: 'shared-session' };
    }
    writeNice(autogroup, options.nice);
    const now = /nice\s+(-?\d+)/.exec(fs.readFileSync(autogroup, 'utf8'));
    if (now === null || Number(now[1]) !== options.nice) throw new Error(`the session group reads back ${JSON.stringify(fs.readFileSync(autogroup, 'utf8').trim())}`);
    logger.info({ nice: options.nice }, "Warden's session yields the CPU to the machine's other programs (WARDEN_NICE)");
    return { done: 'lowered', nice: options.nice };
  } catch (err) {
    logger.warn({ err: String(err), nice: options.nice }, "could not lower Warden's session priority; it competes for the CPU on equal terms with the agents (WARDEN_NICE)");
    return { done: 'failed', error: String(err) };
  }
}

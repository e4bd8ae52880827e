/**
 * Has V8 collect the young generation on the thread that allocated it, without its helper
 * threads. A young collection (a scavenge) stops the event loop either way. Split among helpers,
 * it ends only when the last helper finishes its share. On a busy machine a helper may wait for
 * a CPU: the scheduler was seen running V8's helpers ~18 ms while the main thread slept waiting for
 * them, and a gate call waited behind that. Done by the main thread alone, a scavenge takes a
 * little more of its CPU and never waits for another thread. Four agents hooking under 5,000
 * spans/s, runs taking turns (README, "Benchmarks"): shell client p99 54.0 / 48.6 / 60.9 ms
 * with it, 71.0 / 101.2 / 84.0 ms without.
 *
 * A process-wide V8 setting, read at each collection, so it can be made after start: the
 * command that starts the service makes it (not the assembly, which tests build inside
 * processes of their own). Old-generation marking stays concurrent.
 */
import v8 from 'node:v8';

export function collectYoungOnEventLoopThread(): void {
  v8.setFlagsFromString('--no-parallel-scavenge');
}

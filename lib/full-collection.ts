/**
 * Spaces V8's full collections of the heap further apart. A full collection (mark-compact)
 * starts once the old generation outgrows a limit V8 sets after the last one: what that one
 * kept, times a factor V8 chooses from how fast it collects (~1.45 for Warden's main thread
 * under 5,000 spans/s: 75 MB kept, the next at ~110 MB). Events in flight — decoded, waiting
 * for detection, held until their insert is acknowledged — outlive two young collections and
 * are promoted at ~3.5 MB/s, so a full collection came every ~9 s. Each one ends in a pause of
 * the event loop, 8–20 ms on a quiet machine and 35–100 ms on a busy one, and every hook call
 * in flight waits it out: the slowest paced calls of the hook bench started in such pauses.
 * With the limit at what was kept times (1 + percent/100) they come far less often: at 200%,
 * 3 per bench run instead of 17–22, every 25–60 s (the buffers the main thread holds until their
 * insert are given back once stored, lib/release-buffer.ts: before that, their external memory
 * started one every ~17 s whatever this setting). What each one marks is what is live, so it
 * takes no longer. The cost is memory: up to that much more heap between collections; ~50–90 MB
 * more resident in those runs.
 *
 * A process-wide V8 setting, read whenever the limit is set, so it can be made after start:
 * the command that starts the service makes it (not the assembly, which tests build inside
 * processes of their own). 0 leaves V8's own choice.
 */
import v8 from 'node:v8';

export function spaceFullCollections(growthPercent: number): void {
  if (!Number.isInteger(growthPercent) || growthPercent < 0) throw new RangeError(`heap growth must be a whole percentage ≥ 0, got ${growthPercent}`);
  if (growthPercent > 0) v8.setFlagsFromString(`--heap-growing-percent=${growthPercent}`);
}

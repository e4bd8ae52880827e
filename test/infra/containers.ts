/**
 * Is there a container engine (Docker, Podman, …) that testcontainers can use? Asked once before
 * any container suite: without an engine testcontainers rejects within milliseconds, and the
 * suite skips with the reason instead of failing. A guard timer covers an engine that hangs.
 */
import { getContainerRuntimeClient } from 'testcontainers';

export interface ContainerRuntimeProbe {
  available: boolean;
  reason: string;
}

const PROBE_TIMEOUT_MS = 15_000;

let cached: Promise<ContainerRuntimeProbe> | undefined;

async function probe(timeoutMs: number): Promise<ContainerRuntimeProbe> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<ContainerRuntimeProbe>((resolve) => {
    timer = setTimeout(() => resolve({ available: false, reason: `no answer within ${timeoutMs} ms` }), timeoutMs);
    timer.unref();
  });
  const attempt = getContainerRuntimeClient().then(
    (client): ContainerRuntimeProbe => ({
      available: true,
      reason: `${client.info.containerRuntime.operatingSystem} at ${client.info.containerRuntime.host}`,
    }),
    (err: unknown): ContainerRuntimeProbe => ({
      available: false,
      reason: err instanceof Error ? err.message : String(err),
    }),
  );
  try {
    return await Promise.race([attempt, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Probes once per process; later calls get the same answer. */
export function probeContainerRuntime(timeoutMs = PROBE_TIMEOUT_MS): Promise<ContainerRuntimeProbe> {
  cached ??= probe(timeoutMs);
  return cached;
}

/** The line a skipped container suite prints to stderr, so a green run never hides it. */
export function skipBanner(suite: string, reason: string): string {
  return `!!! SKIPPED: ${suite} — no container runtime (${reason})`;
}

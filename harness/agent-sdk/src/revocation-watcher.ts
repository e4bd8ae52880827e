/**
 * Watches one session for revocation: polls Warden's verdict for the session
 * (`GET /api/v1/sessions/:id/verdict`, role ingest, answered from memory) every `intervalMs`,
 * and calls `onRevoked(reason)` exactly once when an operator or the kill switch has revoked it
 * — then stops. While Warden cannot be reached the wait doubles up to `maxIntervalMs` (and is
 * back to `intervalMs` after the next answer); each failed poll goes to `onError`.
 *
 * The verdict also answers `allow: false` while Warden reloads a session's state (a moment) or
 * has lost it; only a revocation, whose reason starts "Warden revoked this session", is one.
 * `stop()` ends the polling; no callback is made after it.
 */
import { requestJson, type HttpTarget } from './http.js';

export const REVOKED_PREFIX = 'Warden revoked this session';

export interface RevocationWatcherOptions {
  target: HttpTarget;
  sessionId: string;
  onRevoked: (reason: string) => void;
  /** Between polls; default 2000. */
  intervalMs?: number;
  /** Longest wait while Warden is unreachable; default 30000. */
  maxIntervalMs?: number;
  onError?: (error: Error) => void;
}

export class RevocationWatcher {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private fired = false;
  private failures = 0;
  private readonly intervalMs: number;
  private readonly maxIntervalMs: number;

  constructor(private readonly options: RevocationWatcherOptions) {
    this.intervalMs = Math.max(10, options.intervalMs ?? 2000);
    this.maxIntervalMs = Math.max(this.intervalMs, options.maxIntervalMs ?? 30_000);
  }

  start(): void {
    if (this.stopped || this.timer) return;
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Whether onRevoked was called. */
  get revoked(): boolean {
    return this.fired;
  }

  /** A revocation learned elsewhere (a gate answer): the callback fires now, once. */
  revokedBy(reason: string): void {
    if (this.fired || this.stopped) return;
    this.fired = true;
    this.stop();
    try {
      this.options.onRevoked(reason);
    } catch (err) {
      this.options.onError?.(new Error(`onRevoked threw: ${err instanceof Error ? err.message : String(err)}`, { cause: err }));
    }
  }

  /** The wait before the next poll after `failures` failed polls in a row. */
  nextDelay(failures: number): number {
    return Math.min(this.intervalMs * 2 ** failures, this.maxIntervalMs);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.poll(), ms);
    this.timer.unref();
  }

  private async poll(): Promise<void> {
    this.timer = undefined;
    if (this.stopped) return;
    try {
      const verdict = (await requestJson(this.options.target, 'GET', `/api/v1/sessions/${encodeURIComponent(this.options.sessionId)}/verdict`)) as { allow?: unknown; reason?: unknown };
      this.failures = 0;
      const reason = typeof verdict.reason === 'string' ? verdict.reason : '';
      if (verdict.allow === false && reason.startsWith(REVOKED_PREFIX)) {
        this.revokedBy(reason);
        return;
      }
    } catch (err) {
      this.failures++;
      this.options.onError?.(err instanceof Error ? err : new Error(String(err)));
      this.schedule(this.nextDelay(this.failures));
      return;
    }
    this.schedule(this.intervalMs);
  }
}

/**
 * Time as the operator API shows and accepts it. ClickHouse hands times over as decimal
 * nanosecond strings (`toUnixTimestamp64Nano`), which become RFC 3339 with nine fraction digits
 * without passing through a float. `since` filters accept an RFC 3339 time or a look-back
 * duration (`90s`, `15m`, `24h`, `7d`, `2w`), resolved against the clock passed in.
 */
import { ApiError } from '../errors.js';
import { msToRfc3339 as millisToRfc3339, nsToRfc3339 as toRfc3339 } from '../../../lib/rfc3339.js';

const DURATION = /^(\d+)(s|m|h|d|w)$/;
const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Decimal nanoseconds since the epoch → `2025-11-21T16:00:00.123456789Z`; '' for ''/0/null (no time). */
export function nsToRfc3339(ns: string | null | undefined): string {
  if (ns === null || ns === undefined || ns === '' || /^0+$/.test(ns)) return '';
  return toRfc3339(ns);
}

export function msToRfc3339(ms: number): string {
  return ms > 0 ? millisToRfc3339(ms) : '';
}

/** Parses a `since` value into milliseconds since the epoch; 400 INVALID_REQUEST when unreadable. */
export function parseSince(value: string, nowMs: number): number {
  const text = value.trim();
  const duration = DURATION.exec(text);
  if (duration) return nowMs - Number(duration[1]) * UNIT_MS[duration[2]!]!;
  const ms = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new ApiError(400, 'INVALID_REQUEST', `since must be an RFC 3339 time or a duration like 15m, 24h, 7d (got ${JSON.stringify(value.slice(0, 40))})`);
  }
  return ms;
}

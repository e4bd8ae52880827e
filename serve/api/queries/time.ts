/**
 * Time as the operator API accepts it: `since` filters take an RFC 3339 time or a look-back
 * duration (`90s`, `15m`, `24h`, `7d`, `2w`), resolved against the clock passed in. (Times it
 * shows are formatted by lib/rfc3339.ts.)
 */
import { ApiError } from '../../../lib/errors.js';

const DURATION = /^(\d+)(s|m|h|d|w)$/;
const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Parses a `since` value into milliseconds since the epoch; 400 INVALID_REQUEST when unreadable. */
export function parseSince(value: string, nowMs: number): number {
  const text = value.trim();
  const duration = DURATION.exec(text);
  if (duration) return nowMs - Number(duration[1]) * UNIT_MS[duration[2]!]!;
  const ms = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new ApiError('INVALID_REQUEST', `since must be an RFC 3339 time or a duration like 15m, 24h, 7d (got ${JSON.stringify(value.slice(0, 40))})`);
  }
  return ms;
}

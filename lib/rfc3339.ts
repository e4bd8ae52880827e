/**
 * Times as Warden writes them: RFC 3339 in UTC with nine fraction digits, converted from
 * nanoseconds digit by digit (never through a float, so no nanosecond is lost); back to
 * nanoseconds and milliseconds; and to the text form ClickHouse's DateTime64(9) parses.
 */
const DIGITS = /^\d{1,19}$/;
const RFC3339_UTC = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?Z$/;

/** Decimal nanoseconds since the epoch → `2026-01-01T00:00:00.123456789Z` (unreadable input → the epoch). */
export function nsToRfc3339(ns: string): string {
  const value = DIGITS.test(ns) ? ns : '0';
  const padded = value.padStart(10, '0');
  const iso = new Date(Number(padded.slice(0, -9)) * 1000).toISOString();
  return `${iso.slice(0, 19)}.${padded.slice(-9)}Z`;
}

export function rfc3339Ns(ns: bigint): string {
  return nsToRfc3339(ns.toString());
}

export function msToRfc3339(ms: number): string {
  return nsToRfc3339((BigInt(Math.trunc(ms)) * 1_000_000n).toString());
}

/** As nsToRfc3339, but '' where there is no time (null, '', 0) — how the operator API shows one. */
export function nsToRfc3339OrEmpty(ns: string | null | undefined): string {
  if (ns === null || ns === undefined || ns === '' || /^0+$/.test(ns)) return '';
  return nsToRfc3339(ns);
}

export function msToRfc3339OrEmpty(ms: number): string {
  return ms > 0 ? msToRfc3339(ms) : '';
}

export function nsToMs(ns: string): number {
  if (!DIGITS.test(ns)) return 0;
  // Whole milliseconds are the digits before the last six: no BigInt, as this runs for every event.
  return ns.length > 6 ? Number(ns.slice(0, -6)) : 0;
}

/** Nanoseconds since the epoch of an RFC 3339 time (any fraction length, any offset), or null if unreadable. */
export function rfc3339ToNs(text: string): bigint | null {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(text);
  if (!m) return null;
  const seconds = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(seconds)) return null;
  return BigInt(seconds) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0'));
}

export function isRfc3339Utc(text: string): boolean {
  return RFC3339_UTC.test(text);
}

/** `2026-01-01T00:00:00.123456789Z` → `2026-01-01 00:00:00.123456789`. */
export function rfc3339ToDateTime64(text: string): string {
  const m = RFC3339_UTC.exec(text);
  if (!m) throw new RangeError(`not an RFC 3339 UTC time: ${text.slice(0, 40)}`);
  return `${m[1]} ${m[2]}.${(m[3] ?? '').padEnd(9, '0')}`;
}

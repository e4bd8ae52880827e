/**
 * Times of revocation records: RFC 3339 in UTC with nine fraction digits, built digit by digit
 * from the clock's nanoseconds (never through a float), and the same instant in the text form
 * ClickHouse's DateTime64(9) parses.
 */
export function rfc3339Ns(ns: bigint): string {
  const seconds = ns / 1_000_000_000n;
  const fraction = (ns % 1_000_000_000n).toString().padStart(9, '0');
  return `${new Date(Number(seconds) * 1000).toISOString().slice(0, 19)}.${fraction}Z`;
}

const RFC3339 = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?Z$/;

export function isRfc3339Utc(text: string): boolean {
  return RFC3339.test(text);
}

/** `2026-01-01T00:00:00.123456789Z` → `2026-01-01 00:00:00.123456789`. */
export function rfc3339ToDateTime64(text: string): string {
  const m = RFC3339.exec(text);
  if (!m) throw new RangeError(`not an RFC 3339 UTC time: ${text.slice(0, 40)}`);
  return `${m[1]} ${m[2]}.${(m[3] ?? '').padEnd(9, '0')}`;
}

/**
 * Times as the API writes them: RFC 3339 in UTC with nine fraction digits, converted from the
 * decimal nanosecond strings AuditEvents carry (digit by digit, never through a float, so no
 * nanosecond is lost), and back to milliseconds for clocks.
 */

const DIGITS = /^\d{1,19}$/;

export function nsToRfc3339(ns: string): string {
  const value = DIGITS.test(ns) ? ns : '0';
  const padded = value.padStart(10, '0');
  const iso = new Date(Number(padded.slice(0, -9)) * 1000).toISOString();
  return `${iso.slice(0, 19)}.${padded.slice(-9)}Z`;
}

export function msToRfc3339(ms: number): string {
  return nsToRfc3339((BigInt(Math.trunc(ms)) * 1_000_000n).toString());
}

export function nsToMs(ns: string): number {
  return DIGITS.test(ns) ? Number(BigInt(ns) / 1_000_000n) : 0;
}

/** Nanoseconds since the epoch of an RFC 3339 time (any fraction length), or null if unreadable. */
export function rfc3339ToNs(text: string): bigint | null {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(text);
  if (!m) return null;
  const seconds = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(seconds)) return null;
  return BigInt(seconds) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0'));
}

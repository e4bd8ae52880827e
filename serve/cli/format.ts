/**
 * Plain-text output helpers for the operator commands: aligned tables, compact timestamps,
 * truncation. No colours, so output pipes cleanly into files and other tools.
 */

/** `2026-11-21T18:39:18.123456789Z` → `2026-11-21 18:39:18.123`. */
export function shortTime(rfc3339: string): string {
  if (rfc3339 === '') return '-';
  return rfc3339.replace('T', ' ').replace(/(\.\d{3})\d*Z$/, '$1').replace(/Z$/, '');
}

export function truncate(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/** Columns padded to their widest cell; the last column is not padded. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

/**
 * The redaction marker `[REDACTED:<kind>]`. Kinds are lower-case snake case so a marker can be
 * found again: the scanner skips any candidate that overlaps an existing marker, which is what
 * makes redaction idempotent.
 */

export const MARKER_PREFIX = '[REDACTED:';

const KIND_PATTERN = /^[a-z][a-z0-9_]{0,63}$/;
const MARKER_PATTERN = /\[REDACTED:[a-z][a-z0-9_]{0,63}\]/g;
const WHOLE_MARKER = /^\[REDACTED:[a-z][a-z0-9_]{0,63}\]$/;

export function isValidKind(kind: string): boolean {
  return KIND_PATTERN.test(kind);
}

export function marker(kind: string): string {
  return `${MARKER_PREFIX}${kind}]`;
}

/** [start, end) ranges of every marker already in the text; empty when there are none. */
export function markerRanges(text: string): Array<[number, number]> {
  if (!text.includes(MARKER_PREFIX)) return [];
  const ranges: Array<[number, number]> = [];
  for (const m of text.matchAll(MARKER_PATTERN)) {
    ranges.push([m.index, m.index + m[0].length]);
  }
  return ranges;
}

/** True when the whole value is one marker (a value that was already redacted). */
export function isMarker(value: string): boolean {
  return WHOLE_MARKER.test(value);
}

/**
 * Events in their insert form: JSONCompactEachRow lines, as bytes, with the few fields the insert
 * still needs of each row (id for de-duplication and the token, tenant and session for the
 * lookup of already-stored ids, signal for the metrics) in parallel arrays.
 *
 * The pipeline converts events as soon as detection has seen them and gathers these until the
 * insert, so the event objects die young instead of waiting a quarter of a second for
 * ClickHouse, and what waits is a few large buffers outside the JavaScript heap, which the
 * garbage collector neither walks nor copies.
 */
import { mapInSlices } from '../../lib/chunked.js';
import type { AuditEvent } from '../audit-event.js';
import { compactRowOf } from './event-row.js';

const NEWLINE = 0x0a;

/** Consecutive rows' lines, separated by newlines (none after the last). */
export interface RowsPart {
  text: Buffer;
  /** End (exclusive, before the newline) of each row's line in `text`; the next line starts one byte later. */
  ends: number[];
}

export interface PreparedRows {
  ids: string[];
  tenants: string[];
  sessions: string[];
  signals: Array<AuditEvent['signal']>;
  /** The rows' lines, in row order. */
  parts: RowsPart[];
}

export function emptyRows(): PreparedRows {
  return { ids: [], tenants: [], sessions: [], signals: [], parts: [] };
}

/**
 * Serializes (and validates) events, a slice at a time with a turn between slices, so a large
 * batch does not hold up the event loop. Throws what `compactRowOf` throws for an invalid event.
 */
export async function prepareRows(events: readonly AuditEvent[]): Promise<PreparedRows> {
  const rows = emptyRows();
  if (events.length === 0) return rows;
  const lines = await mapInSlices(events, (e) => JSON.stringify(compactRowOf(e)));
  // JSON text never holds a raw newline (it is escaped inside strings): the newlines found in
  // the bytes are exactly the line ends.
  const text = Buffer.from(lines.join('\n'));
  const ends: number[] = [];
  for (let at = text.indexOf(NEWLINE); at !== -1; at = text.indexOf(NEWLINE, at + 1)) ends.push(at);
  ends.push(text.length);
  rows.parts.push({ text, ends });
  for (const e of events) {
    rows.ids.push(e.event_id);
    rows.tenants.push(e.tenant);
    rows.sessions.push(e.session_id);
    rows.signals.push(e.signal);
  }
  return rows;
}

/** Appends `more` to `into` (in place; the bytes are shared, not copied). */
export function appendRows(into: PreparedRows, more: PreparedRows): void {
  for (let i = 0; i < more.ids.length; i++) {
    into.ids.push(more.ids[i]!);
    into.tenants.push(more.tenants[i]!);
    into.sessions.push(more.sessions[i]!);
    into.signals.push(more.signals[i]!);
  }
  for (const part of more.parts) into.parts.push(part);
}

/** The rows for which `keep(index)` holds, in order (their bytes shared, not copied). */
export function filterRows(rows: PreparedRows, keep: (index: number) => boolean): PreparedRows {
  const out = emptyRows();
  let index = 0;
  for (const part of rows.parts) {
    // Runs of kept rows become views of the part's bytes.
    let runStart = -1;
    let runEnds: number[] = [];
    const closeRun = (): void => {
      if (runStart === -1) return;
      out.parts.push({ text: part.text.subarray(runStart, runEnds[runEnds.length - 1]), ends: runEnds.map((e) => e - runStart) });
      runStart = -1;
      runEnds = [];
    };
    let start = 0;
    for (const end of part.ends) {
      if (keep(index)) {
        if (runStart === -1) runStart = start;
        runEnds.push(end);
        out.ids.push(rows.ids[index]!);
        out.tenants.push(rows.tenants[index]!);
        out.sessions.push(rows.sessions[index]!);
        out.signals.push(rows.signals[index]!);
      } else {
        closeRun();
      }
      start = end + 1;
      index++;
    }
    closeRun();
  }
  return out;
}

/** One row per event id, the last occurrence's (a later copy of an event is the newer one). */
export function lastById(rows: PreparedRows): PreparedRows {
  const last = new Map<string, number>();
  for (let i = 0; i < rows.ids.length; i++) last.set(rows.ids[i]!, i);
  if (last.size === rows.ids.length) return rows;
  return filterRows(rows, (i) => last.get(rows.ids[i]!) === i);
}

const SEPARATOR = Buffer.from('\n');

/** The insert body: every row's line, in order, one per line. */
export function rowsBody(rows: PreparedRows): Buffer {
  if (rows.parts.length === 1) return rows.parts[0]!.text;
  const pieces: Buffer[] = [];
  for (const part of rows.parts) {
    if (pieces.length > 0) pieces.push(SEPARATOR);
    pieces.push(part.text);
  }
  return Buffer.concat(pieces);
}

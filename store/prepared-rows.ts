/**
 * Events in their insert form: JSONCompactEachRow lines, as bytes, with the few fields the insert
 * still needs of each row (id for de-duplication and the token, tenant and session for the
 * lookup of already-stored ids and for a dead letter, signal for the metrics, the day of its
 * time — its `audit_events` partition — for cutting inserts by partition, whether its id is its
 * tool call's — an intent that may arrive again through another channel) in parallel arrays.
 *
 * Text ClickHouse cannot take is made safe here: a lone UTF-16 surrogate (which JSON.stringify
 * writes as a `\udXXX` escape, and ClickHouse refuses as a broken surrogate pair, failing the
 * whole insert) is replaced with U+FFFD, and the caller is told which rows were changed.
 *
 * The pipeline converts events as soon as detection has seen them and gathers these until the
 * insert, so the event objects die young instead of waiting a quarter of a second for
 * ClickHouse, and what waits is a few large buffers outside the JavaScript heap, which the
 * garbage collector neither walks nor copies.
 */
import { mapInSlices } from '../lib/chunked.js';
import { releaseBuffer, viewsWholeBuffer } from '../lib/release-buffer.js';
import type { AuditEvent } from '../model/audit-event.js';
import { compactRowOf } from './event-row.js';

const NEWLINE = 0x0a;

/** Consecutive rows' lines, separated by newlines (none after the last). */
export interface RowsPart {
  text: Buffer;
  /** End (exclusive, before the newline) of each row's line in `text`; the next line starts one byte later. */
  ends: number[];
  /**
   * `text` is a buffer of its own, handed over by the thread that prepared it, which nothing else
   * views: `releaseRows` gives its memory back once the rows are stored (lib/release-buffer.ts).
   */
  owned?: true;
}

export interface PreparedRows {
  ids: string[];
  tenants: string[];
  sessions: string[];
  signals: Array<AuditEvent['signal']>;
  /** The UTC day (days since the epoch) of each row's `time`: its partition in `audit_events`. */
  days: number[];
  /**
   * Rows whose id is derived from their tool call (an intent naming one, see normalize/event-id.ts):
   * another record of the same call — the gate's, the agent's telemetry — has the same id, and the
   * first one stored is the event; the store checks these against what is stored.
   */
  byCall: boolean[];
  /** The rows' lines, in row order. */
  parts: RowsPart[];
}

export function emptyRows(): PreparedRows {
  return { ids: [], tenants: [], sessions: [], signals: [], days: [], byCall: [], parts: [] };
}

const NS_PER_DAY_DIGITS = 9;
const SECONDS_PER_DAY = 86_400;

/** The UTC day of decimal nanoseconds (already checked storable; empty is the epoch). */
export function dayOfNs(ns: string): number {
  if (ns.length <= NS_PER_DAY_DIGITS) return 0;
  return Math.floor(Number(ns.slice(0, -NS_PER_DAY_DIGITS)) / SECONDS_PER_DAY);
}

/** A lone surrogate: a high one not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
/** How JSON.stringify writes a lone surrogate (well-formed stringify; pairs are written raw). */
const ESCAPED_SURROGATE = /\\ud[89a-f][0-9a-f]{2}/;

function wellFormed(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(LONE_SURROGATE, '\ufffd');
  if (Array.isArray(value)) return value.map(wellFormed);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) out[key.replace(LONE_SURROGATE, '\ufffd')] = wellFormed(inner);
    return out;
  }
  return value;
}

/**
 * The line with every lone surrogate (in values and in map keys) replaced by U+FFFD, or
 * undefined when it has none. The quick test can match an escaped backslash followed by `ud…`
 * text; then the line is parsed and found unchanged.
 */
function wellFormedLine(line: string): string | undefined {
  if (!ESCAPED_SURROGATE.test(line)) return undefined;
  const fixed = JSON.stringify(wellFormed(JSON.parse(line)));
  return fixed === line ? undefined : fixed;
}

/**
 * Serializes (and validates) events, a slice at a time with a turn between slices, so a large
 * batch does not hold up the event loop. Throws what `compactRowOf` throws for an invalid event.
 * `onReplaced(index)` is called for each event whose text had lone surrogates replaced.
 */
export async function prepareRows(events: readonly AuditEvent[], onReplaced?: (index: number) => void): Promise<PreparedRows> {
  const rows = emptyRows();
  if (events.length === 0) return rows;
  let index = 0;
  const lines = await mapInSlices(events, (e) => {
    const line = JSON.stringify(compactRowOf(e));
    const at = index++;
    const fixed = wellFormedLine(line);
    if (fixed === undefined) return line;
    onReplaced?.(at);
    return fixed;
  });
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
    rows.days.push(dayOfNs(e.time_ns));
    rows.byCall.push(e.phase === 'intent' && e.tool_call_id !== '');
  }
  return rows;
}

/**
 * The rows with each part's bytes in a buffer of its own (copied there when they share one, as
 * small texts share Node's pool), and those buffers: posted with them as the transfer list, the
 * bytes are moved to the other thread, not copied, and that thread owns them (`owned`).
 */
export function rowsToHandOver(rows: PreparedRows): { rows: PreparedRows; transfer: ArrayBuffer[] } {
  const transfer: ArrayBuffer[] = [];
  const parts = rows.parts.map((part) => {
    let text = part.text;
    if (!viewsWholeBuffer(text)) {
      text = Buffer.allocUnsafeSlow(part.text.byteLength);
      part.text.copy(text);
    }
    transfer.push(text.buffer as ArrayBuffer);
    return { text, ends: part.ends };
  });
  return { rows: { ...rows, parts }, transfer };
}

/**
 * Rows prepared on another thread (prepareRows and rowsToHandOver there, then posted: each
 * part's bytes arrive as a Uint8Array) as PreparedRows over Buffers, for `count` events;
 * undefined when the value is not such rows or holds another number of rows — the caller then
 * prepares them itself.
 */
export function preparedRowsFrom(value: unknown, count: number): PreparedRows | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const r = value as Partial<Record<keyof PreparedRows, unknown>>;
  const lists = [r.ids, r.tenants, r.sessions, r.signals, r.days, r.byCall];
  if (!lists.every((l) => Array.isArray(l) && l.length === count) || !Array.isArray(r.parts)) return undefined;
  const parts: RowsPart[] = [];
  let lines = 0;
  for (const part of r.parts as unknown[]) {
    const p = part as { text?: unknown; ends?: unknown } | null;
    if (!p || !(p.text instanceof Uint8Array) || !Array.isArray(p.ends)) return undefined;
    const text = Buffer.isBuffer(p.text) ? p.text : Buffer.from(p.text.buffer, p.text.byteOffset, p.text.byteLength);
    // Handed over by `rowsToHandOver`: each part's bytes are the whole of a buffer moved here.
    parts.push({ text, ends: p.ends as number[], ...(viewsWholeBuffer(text) ? { owned: true as const } : {}) });
    lines += p.ends.length;
  }
  if (lines !== count) return undefined;
  return { ...(value as PreparedRows), parts };
}

/** Appends `more` to `into` (in place; the bytes are shared, not copied). */
export function appendRows(into: PreparedRows, more: PreparedRows): void {
  for (let i = 0; i < more.ids.length; i++) {
    into.ids.push(more.ids[i]!);
    into.tenants.push(more.tenants[i]!);
    into.sessions.push(more.sessions[i]!);
    into.signals.push(more.signals[i]!);
    into.days.push(more.days[i]!);
    into.byCall.push(more.byCall[i]!);
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
        out.days.push(rows.days[index]!);
        out.byCall.push(rows.byCall[index]!);
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

/**
 * One row per event id: the last occurrence's (a later copy of a record is the newer one), except
 * for an id derived from its tool call, where the first is kept — it is the copy detection judged,
 * and the one kept when the copies come in different inserts.
 */
export function lastById(rows: PreparedRows): PreparedRows {
  const last = new Map<string, number>();
  for (let i = 0; i < rows.ids.length; i++) if (!rows.byCall[i] || !last.has(rows.ids[i]!)) last.set(rows.ids[i]!, i);
  if (last.size === rows.ids.length) return rows;
  return filterRows(rows, (i) => last.get(rows.ids[i]!) === i);
}

/**
 * The rows cut into groups each spanning at most `maxDays` days (partitions), in order of each
 * day's first row: one insert block per group stays under `max_partitions_per_insert_block`.
 * Rows of one group keep their order; when all rows fit, the rows themselves are the one group.
 */
export function splitByDay(rows: PreparedRows, maxDays: number): PreparedRows[] {
  const groupOfDay = new Map<number, number>();
  for (const day of rows.days) if (!groupOfDay.has(day)) groupOfDay.set(day, Math.floor(groupOfDay.size / maxDays));
  const groups = Math.ceil(groupOfDay.size / maxDays);
  if (groups <= 1) return [rows];
  const out: PreparedRows[] = [];
  for (let g = 0; g < groups; g++) out.push(filterRows(rows, (i) => groupOfDay.get(rows.days[i]!) === g));
  return out;
}

/** The row's line (a view of the bytes, not a copy). */
export function rowLine(rows: PreparedRows, index: number): Buffer {
  let first = 0;
  for (const part of rows.parts) {
    if (index < first + part.ends.length) {
      const i = index - first;
      const start = i === 0 ? 0 : part.ends[i - 1]! + 1;
      return part.text.subarray(start, part.ends[i]);
    }
    first += part.ends.length;
  }
  throw new RangeError(`row ${index} of ${rows.ids.length}`);
}

/** The insert body: every row's line, in order, one per line. */
export interface InsertBody {
  bytes: Buffer;
  /** Gives the body's memory back when it was gathered for the insert (several parts); call once the insert is done. */
  release(): void;
}

export function insertBody(rows: PreparedRows): InsertBody {
  if (rows.parts.length <= 1) return { bytes: rows.parts[0]?.text ?? Buffer.alloc(0), release: () => {} };
  let length = rows.parts.length - 1;
  for (const part of rows.parts) length += part.text.byteLength;
  // A buffer of its own (Buffer.concat takes small ones from Node's shared pool), to be released.
  const bytes = Buffer.allocUnsafeSlow(length);
  let at = 0;
  rows.parts.forEach((part, i) => {
    if (i > 0) bytes[at++] = NEWLINE;
    at += part.text.copy(bytes, at);
  });
  return { bytes, release: () => releaseBuffer(bytes) };
}

/**
 * Gives back the memory of the parts this thread owns (`owned`), once the rows are stored and
 * nothing reads them again: their bytes would wait for a full collection otherwise.
 */
export function releaseRows(rows: PreparedRows): void {
  for (const part of rows.parts) if (part.owned) releaseBuffer(part.text);
}

/**
 * CPU work over large arrays in slices, yielding to the event loop between slices, so that one
 * big batch (thousands of rows to serialize for an insert) does not hold up socket writes,
 * timers and requests behind it for tens of milliseconds.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';

export const DEFAULT_SLICE = 500;

/** `items.map(fn)`, a slice at a time, with a turn of the event loop between slices. */
export async function mapInSlices<T, R>(items: readonly T[], fn: (item: T) => R, slice: number = DEFAULT_SLICE): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  for (let start = 0; start < items.length; start += slice) {
    if (start > 0) await nextTurn();
    const end = Math.min(items.length, start + slice);
    for (let i = start; i < end; i++) out[i] = fn(items[i]!);
  }
  return out;
}

/**
 * Bash's brace expansion and field splitting over one word, done on characters that remember
 * where they came from: only unquoted, unescaped literal text (`ACTIVE`) forms brace lists, as
 * in bash (`{rm,-rf,/x}` is three words, `r{m,}` is `rm r`, `'{a,b}'` and `\{a,b\}` stay one
 * word, `${` is never a brace); only the unquoted value of a variable or substitution
 * (`SPLIT`) is split on blanks. Sequences (`{1..9}`) are not expanded. Expansion is bounded:
 * past `cap` words it gives up and returns undefined, so the caller treats the word as unknown.
 */

/** Quoted or escaped text, or a value that neither expands nor splits. */
export const INERT = 0;
/** Unquoted literal text: may form brace lists. */
export const ACTIVE = 1;
/** Unquoted expansion result: split on blanks. */
export const SPLIT = 2;

export interface Ch {
  c: string;
  f: number;
}

/** The characters of a word as a fixed list, one flag for all of them. */
export function chars(text: string, f: number): Ch[] {
  return [...text].map((c) => ({ c, f }));
}

const active = (x: Ch | undefined, c: string): boolean => x !== undefined && x.f === ACTIVE && x.c === c;

/** The first brace list in `w`: its braces and depth-1 commas, or undefined. */
function findList(w: Ch[]): { open: number; close: number; commas: number[] } | undefined {
  for (let open = 0; open < w.length; open++) {
    if (!active(w[open], '{') || (open > 0 && w[open - 1]!.c === '$')) continue;
    let depth = 0;
    const commas: number[] = [];
    for (let j = open + 1; j < w.length; j++) {
      if (active(w[j], '{')) depth++;
      else if (active(w[j], '}')) {
        if (depth === 0) {
          if (commas.length > 0) return { open, close: j, commas };
          break;
        }
        depth--;
      } else if (depth === 0 && active(w[j], ',')) commas.push(j);
    }
  }
  return undefined;
}

/** Every word `w` expands to, left to right; undefined past `cap` words. */
export function braceExpand(w: Ch[], cap: number): Ch[][] | undefined {
  const found = findList(w);
  if (!found) return [w];
  const { open, close, commas } = found;
  const pre = w.slice(0, open);
  const bounds = [open, ...commas, close];
  const out: Ch[][] = [];
  for (let k = 0; k + 1 < bounds.length; k++) {
    // Each alternative with the rest of the word after it, expanded again (`{a,b}{c,d}`, nesting).
    const alt = [...pre, ...w.slice(bounds[k]! + 1, bounds[k + 1]!), ...w.slice(close + 1)];
    const more = braceExpand(alt, cap - out.length);
    if (more === undefined) return undefined;
    out.push(...more);
    if (out.length > cap) return undefined;
  }
  return out;
}

const BLANK = new Set([' ', '\t', '\n']);

/**
 * Splits on unquoted blanks of expansion results. `quoted` says the word had quotes, so an
 * empty result is still one (empty) word; otherwise an empty expansion leaves no word at all.
 */
export function fieldSplit(w: Ch[], quoted: boolean): string[] {
  const fields: string[] = [];
  let cur = '';
  let started = false;
  for (const x of w) {
    if (x.f === SPLIT && BLANK.has(x.c)) {
      if (started) fields.push(cur);
      cur = '';
      started = false;
      continue;
    }
    cur += x.c;
    started = true;
  }
  if (started) fields.push(cur);
  if (fields.length === 0 && quoted) fields.push('');
  return fields;
}

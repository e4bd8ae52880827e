/**
 * Reads dcg's regression corpus (`corpus/external/dcg/`, MIT, kept unchanged): every `[[case]]`
 * of every `.toml` file, with its label. Two schemas exist: the regression files carry
 * `command` and `expected = "deny" | "allow"`; `canonical.toml` carries `expected_decision`,
 * and `input_kind = "hook_json"` cases carry the raw hook stdin in `raw_input` instead of a
 * command. The corpus uses a small TOML subset (one-line basic and literal strings, inline
 * tables, integers, booleans, comments, `[case.x]` sub-tables), which is all this reads; any
 * other construct is an error naming the file and line, never a silently skipped case.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DCG_DIR = fileURLToPath(new URL('../corpus/external/dcg/', import.meta.url));

export type DcgLabel = 'deny' | 'allow';

export interface DcgCase {
  /** `file#index`: the file relative to the corpus root and the 1-based case number in it. */
  id: string;
  file: string;
  /** Top folder (true_positives, false_positives, bypass_attempts, edge_cases) or `canonical`. */
  group: string;
  description: string;
  inputKind: 'command' | 'hook_json';
  /** The shell command; for hook_json cases the raw hook stdin. */
  command: string;
  label: DcgLabel;
}

type TomlValue = string | number | boolean | { [key: string]: TomlValue };

const ESCAPES: Record<string, string> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', '"': '"', '\\': '\\' };

/** One value starting at `s[at]`; returns it and the index just after it. */
function readValue(s: string, at: number): [TomlValue, number] {
  let i = at;
  const c = s[i];
  if (c === '"') {
    let out = '';
    for (i++; i < s.length && s[i] !== '"'; i++) {
      if (s[i] !== '\\') { out += s[i]; continue; }
      const e = s[i + 1] ?? '';
      if (e in ESCAPES) { out += ESCAPES[e]; i++; continue; }
      const width = e === 'u' ? 4 : e === 'U' ? 8 : 0;
      if (width === 0) throw new Error(`unknown escape \\${e}`);
      out += String.fromCodePoint(parseInt(s.slice(i + 2, i + 2 + width), 16));
      i += 1 + width;
    }
    if (s[i] !== '"') throw new Error('unterminated string');
    return [out, i + 1];
  }
  if (c === "'") {
    const end = s.indexOf("'", i + 1);
    if (end < 0) throw new Error('unterminated literal string');
    return [s.slice(i + 1, end), end + 1];
  }
  if (c === '{') {
    const table: { [key: string]: TomlValue } = {};
    for (i++; ;) {
      while (s[i] === ' ' || s[i] === ',') i++;
      if (s[i] === '}') return [table, i + 1];
      const key = /^[A-Za-z0-9_.-]+/.exec(s.slice(i))?.[0];
      if (key === undefined) throw new Error(`bad key in inline table at "${s.slice(i, i + 20)}"`);
      i += key.length;
      const eq = /^\s*=\s*/.exec(s.slice(i));
      if (!eq) throw new Error(`expected = after ${key}`);
      const [v, next] = readValue(s, i + eq[0].length);
      table[key] = v;
      i = next;
    }
  }
  const scalar = /^(true|false|-?\d+)/.exec(s.slice(i))?.[1];
  if (scalar === undefined) throw new Error(`unsupported value at "${s.slice(i, i + 20)}"`);
  return [scalar === 'true' ? true : scalar === 'false' ? false : Number(scalar), i + scalar.length];
}

/** The `[[case]]` tables of one TOML file, in order. */
export function readCases(text: string, file = '<text>'): Array<Record<string, TomlValue>> {
  const cases: Array<Record<string, TomlValue>> = [];
  let current: Record<string, TomlValue> | undefined;
  let sub: { [key: string]: TomlValue } | undefined;
  for (const [n, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    try {
      if (line === '[[case]]') {
        current = {};
        sub = undefined;
        cases.push(current);
        continue;
      }
      const table = /^\[case\.([A-Za-z0-9_]+)\]$/.exec(line);
      if (table) {
        if (!current) throw new Error('sub-table before any [[case]]');
        sub = {};
        current[table[1]!] = sub;
        continue;
      }
      const kv = /^([A-Za-z0-9_-]+)\s*=\s*/.exec(line);
      if (!kv) throw new Error('not a key = value line');
      const [value, end] = readValue(line, kv[0].length);
      const rest = line.slice(end).trim();
      if (rest !== '' && !rest.startsWith('#')) throw new Error(`trailing text "${rest}"`);
      // Keys before the first case (schema_version) describe the file, not a case.
      if (sub) sub[kv[1]!] = value;
      else if (current) current[kv[1]!] = value;
    } catch (e) {
      throw new Error(`${file}:${n + 1}: ${(e as Error).message}`, { cause: e });
    }
  }
  return cases;
}

function tomlFiles(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return tomlFiles(p);
    return name.endsWith('.toml') ? [p] : [];
  });
}

export function loadDcgCorpus(dir: string = DCG_DIR): DcgCase[] {
  const out: DcgCase[] = [];
  for (const path of tomlFiles(dir)) {
    const file = relative(dir, path).split('\\').join('/');
    readCases(readFileSync(path, 'utf8'), file).forEach((c, k) => {
      const id = `${file}#${k + 1}`;
      const label = c.expected ?? c.expected_decision;
      if (label !== 'deny' && label !== 'allow') throw new Error(`${id}: label ${String(label)} is neither deny nor allow`);
      const inputKind = c.input_kind === 'hook_json' ? 'hook_json' : 'command';
      const command = inputKind === 'hook_json' ? c.raw_input : c.command;
      if (typeof command !== 'string') throw new Error(`${id}: no command`);
      out.push({
        id, file, group: file.includes('/') ? file.slice(0, file.indexOf('/')) : 'canonical',
        description: String(c.description ?? c.id ?? ''), inputKind, command, label,
      });
    });
  }
  return out;
}

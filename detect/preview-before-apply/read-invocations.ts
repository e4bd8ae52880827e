/**
 * Reads the tool invocations a shell command runs, for the tools this detector knows. The shell
 * text is parsed into simple commands (the classifier's parser: quotes removed, `&&`, `;` and
 * pipes split); `cd`/`pushd` move the directory for the commands after them; launchers (`sudo`,
 * `npx`, `bundle exec`, …) are peeled off; a shell's `-c` script is read in turn. Each invocation
 * keeps its words, its positional words (flags and their values removed) and its directory.
 */
import path from 'node:path';
import { BoundedMap } from '../../lib/bounded.js';
import { parseShell } from '../../normalize/classify/shell/parse-shell.js';
import type { PreviewConfig, ToolConfig } from './config.js';

export interface Invocation {
  /** The tool's key in the config (`terraform`, `kubectl`, …). */
  tool: string;
  spec: ToolConfig;
  /** Words after the command name. */
  words: string[];
  positionals: string[];
  /** Directory the command runs in. */
  dir: string;
}

const MAX_DEPTH = 2;

function baseName(word: string): string {
  return word.slice(word.lastIndexOf('/') + 1);
}

function startsWith(words: readonly string[], seq: readonly string[], at = 0): boolean {
  return seq.length > 0 && seq.every((w, i) => words[at + i] === w);
}

/** Drops launchers and their flags / VAR=value words from the front. */
function peel(words: string[], config: PreviewConfig): string[] {
  let i = 0;
  for (let guard = 0; guard < 8; guard++) {
    const w = config.wrappers.find((seq) => startsWith(words.map((x, j) => (j === i ? baseName(x) : x)), seq, i));
    if (!w) break;
    i += w.length;
    while (i < words.length && (words[i]!.startsWith('-') || words[i]!.includes('='))) i++;
  }
  return words.slice(i);
}

export function positionalsOf(words: readonly string[], spec: ToolConfig): string[] {
  const valueFlags = new Set(spec.value_flags ?? []);
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w === '--') {
      out.push(...words.slice(i + 1));
      break;
    }
    if (!w.startsWith('-') || w === '-') out.push(w);
    else if (!w.includes('=') && valueFlags.has(w)) i++;
  }
  return out;
}

/** Every value given to one of `flags` (`-n x`, `--namespace=x`, `-chdir=x`). */
export function flagValues(words: readonly string[], flags: readonly string[] = []): string[] {
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    for (const f of flags) {
      if (w === f && i + 1 < words.length) out.push(words[i + 1]!);
      else if (w.startsWith(`${f}=`)) out.push(w.slice(f.length + 1));
    }
  }
  return out;
}

/**
 * Whether the text can hold an invocation of a known tool at all. A cheap gate before parsing:
 * most commands name none of them, and the parse itself (not this test) decides what runs.
 */
function mentionsKnownTool(command: string, config: PreviewConfig): boolean {
  let names = toolNames.get(config);
  if (names === undefined) {
    names = Object.values(config.tools).flatMap((spec) => spec.commands);
    toolNames.set(config, names);
  }
  for (const name of names) if (command.includes(name)) return true;
  return false;
}

/** Every known tool's command names, per configuration (built once; a configuration is never edited). */
const toolNames = new WeakMap<PreviewConfig, string[]>();

/** Commands read lately, per configuration: agents repeat their commands, and a parse is dear. */
const MEMO_SIZE = 4096;
const memos = new WeakMap<PreviewConfig, BoundedMap<string, readonly Invocation[]>>();
const NONE: readonly Invocation[] = Object.freeze([]);

/**
 * The invocations `command` runs from `cwd`. The answer is shared between calls with the same
 * text, directory and configuration (a bounded memo): callers must not change it.
 */
export function readInvocations(command: string, cwd: string, config: PreviewConfig): readonly Invocation[] {
  if (!mentionsKnownTool(command, config)) return NONE;
  let memo = memos.get(config);
  if (memo === undefined) memos.set(config, (memo = new BoundedMap(MEMO_SIZE)));
  const key = `${cwd}\u0000${command}`;
  let found = memo.lookup(key);
  if (found === undefined) {
    found = read(command, cwd, config, 0);
    memo.set(key, found.length === 0 ? NONE : found);
  }
  return found;
}

function read(command: string, cwd: string, config: PreviewConfig, depth: number): Invocation[] {
  if (command.trim() === '' || depth > MAX_DEPTH || !mentionsKnownTool(command, config)) return [];
  const out: Invocation[] = [];
  let dir = cwd || '/';
  for (const simple of parseShell(command).commands) {
    const words = peel(simple.words.map((w) => w.text), config);
    if (words.length === 0) continue;
    const name = baseName(words[0]!);
    const rest = words.slice(1);
    if (name === 'cd' || name === 'pushd') {
      const target = rest.find((w) => !w.startsWith('-'));
      if (target && !target.startsWith('~') && !target.includes('$')) dir = path.resolve(dir, target);
      continue;
    }
    if (config.shells.includes(name)) {
      const c = rest.indexOf('-c');
      if (c >= 0 && rest[c + 1] !== undefined) out.push(...read(rest[c + 1]!, dir, config, depth + 1));
      continue;
    }
    for (const [tool, spec] of Object.entries(config.tools)) {
      if (!spec.commands.includes(name)) continue;
      const chdir = flagValues(rest, spec.chdir_flags).at(-1);
      out.push({ tool, spec, words: rest, positionals: positionalsOf(rest, spec), dir: chdir ? path.resolve(dir, chdir) : dir });
      break;
    }
  }
  return out;
}

/** The verb sequence of `verbs` the invocation's positionals start with, if any. */
export function verbOf(inv: Invocation, verbs: readonly string[][] = []): string[] | undefined {
  return verbs.find((seq) => startsWith(inv.positionals, seq));
}

/** A preview flag is present (`name*` in the config matches a prefix). */
export function hasPreviewFlag(inv: Invocation): boolean {
  const flags = inv.spec.preview_flags ?? [];
  return inv.words.some((w) => flags.some((f) => (f.endsWith('*') ? w.startsWith(f.slice(0, -1)) : w === f)));
}

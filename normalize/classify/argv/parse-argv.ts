/**
 * Reads one program's argv the way that program does, using its spec from `commands:` in the
 * rule files: which words are subcommands, which spellings mean the same flag (`-rf`, `-fr`,
 * `-r -f`, `-Rf`, `--recursive --force` all give {recursive, force}), which options take a
 * value (`-n ns`, `-nns`, `--namespace=ns`). Unknown flags are kept under their own spelling.
 */
import type { CommandSpec } from '../rule-schema.js';
import type { Word } from '../shell/word.js';

export interface ParsedArgv {
  /** Subcommand words (case-folded when the spec says so). */
  subcommand: string[];
  /** Positional words after the subcommand. */
  positionals: Word[];
  flags: Set<string>;
  /** Canonical option name -> values in order. */
  options: Map<string, string[]>;
}

interface Lookup {
  flags: Map<string, string>;
  options: Map<string, string>;
}

const lookups = new WeakMap<CommandSpec, Map<string, Lookup>>();

function buildLookup(flags: Record<string, string[]>[], options: Record<string, string[]>[]): Lookup {
  const l: Lookup = { flags: new Map(), options: new Map() };
  for (const f of flags) for (const [canon, spellings] of Object.entries(f)) for (const s of spellings) l.flags.set(s, canon);
  for (const o of options) for (const [canon, spellings] of Object.entries(o)) for (const s of spellings) l.options.set(s, canon);
  return l;
}

function lookupFor(spec: CommandSpec, sub: string): Lookup {
  let bySub = lookups.get(spec);
  if (!bySub) lookups.set(spec, (bySub = new Map()));
  let l = bySub.get(sub);
  if (!l) {
    const extra = spec.subcommands[sub];
    l = buildLookup(extra ? [spec.flags, extra.flags] : [spec.flags], extra ? [spec.options, extra.options] : [spec.options]);
    bySub.set(sub, l);
  }
  return l;
}

export function parseArgv(args: Word[], spec: CommandSpec): ParsedArgv {
  const out: ParsedArgv = { subcommand: [], positionals: [], flags: new Set(), options: new Map() };
  let lookup = lookupFor(spec, '');
  let lastOption = '';
  const addOption = (name: string, value: string): void => {
    const list = out.options.get(name);
    if (list) list.push(value);
    else out.options.set(name, [value]);
    lastOption = spec.multi_value_options ? name : '';
  };
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    const w = word.text;
    if (w === '--') {
      for (const rest of args.slice(i + 1)) out.positionals.push(rest);
      break;
    }
    if (w.length > 1 && w.startsWith('-') && !word.unknownRoot) {
      lastOption = '';
      const eq = w.indexOf('=');
      const name = eq > 0 ? w.slice(0, eq) : w;
      const long = w.startsWith('--') || spec.style === 'single_dash_long' || lookup.flags.has(name) || lookup.options.has(name);
      if (long) {
        const alt = spec.style === 'single_dash_long' ? (name.startsWith('--') ? name.slice(1) : `-${name}`) : name;
        const opt = lookup.options.get(name) ?? lookup.options.get(alt);
        if (opt !== undefined) {
          if (eq > 0) addOption(opt, w.slice(eq + 1));
          else if (i + 1 < args.length) addOption(opt, args[++i]!.text);
          continue;
        }
        const flag = lookup.flags.get(name) ?? lookup.flags.get(alt);
        if (flag === undefined && eq < 0 && spec.unknown_long_options_take_value && w.startsWith('--') && i + 1 < args.length && !args[i + 1]!.text.startsWith('-')) {
          addOption(name, args[++i]!.text);
          continue;
        }
        out.flags.add(flag ?? name);
        if (eq > 0) addOption(flag ?? name, w.slice(eq + 1));
        continue;
      }
      for (let j = 1; j < w.length; j++) {
        const short = `-${w[j]}`;
        const opt = lookup.options.get(short);
        if (opt !== undefined) {
          const rest = w.slice(j + 1).replace(/^=/, '');
          if (rest !== '') addOption(opt, rest);
          else if (i + 1 < args.length) addOption(opt, args[++i]!.text);
          break;
        }
        out.flags.add(lookup.flags.get(short) ?? short);
      }
      continue;
    }
    if (out.subcommand.length < spec.subcommand_depth) {
      const sub = spec.fold_subcommand_case ? w.toLowerCase() : w;
      out.subcommand.push(sub);
      if (out.subcommand.length === 1) lookup = lookupFor(spec, sub);
      // A subcommand word ends a multi-value option (`aws --profile p s3 rm s3://b`).
      lastOption = '';
      continue;
    }
    if (lastOption !== '') {
      out.options.get(lastOption)!.push(w);
      continue;
    }
    out.positionals.push(word);
  }
  return out;
}

/**
 * Parses shell text into simple commands with mvdan/sh (the GopherJS build, which is
 * synchronous). Text made only of plain words (letters, digits, `-_./:=,@%+~`, single spaces)
 * has exactly one parse, a single command whose words are the text split on spaces, so it skips
 * the parser; anything with quotes, expansions or operators goes through it. Text the parser
 * rejects is read by a quote-aware fallback tokenizer and marked as not parsed. Variables the
 * caller says were assigned before (`env TMPDIR=/ sh -c '…'`) are not taken for their usual
 * value; the names this text assigns are returned for scripts it runs in turn.
 */
import sh from 'mvdan-sh';
import { fallbackTokenize } from './fallback-tokenize.js';
import { AstWalker } from './walk-ast.js';
import { literal, type ShellParse } from './word.js';

const PLAIN = /^[A-Za-z0-9_\-./:=,@%+~]+(?: [A-Za-z0-9_\-./:=,@%+~]+)*$/;
const RESERVED = new Set(['if', 'then', 'else', 'elif', 'fi', 'for', 'while', 'until', 'do', 'done', 'case', 'esac', 'function', 'time', 'coproc', 'select', 'in']);

let parser: ReturnType<typeof sh.syntax.NewParser> | undefined;

export function parseShell(text: string, assignedBefore: readonly string[] = []): ShellParse {
  const trimmed = text.trim();
  if (trimmed === '') return { commands: [], parsed: true };
  if (PLAIN.test(trimmed)) {
    const parts = trimmed.split(' ');
    const first = parts[0]!;
    if (!RESERVED.has(first) && !first.includes('=') && !first.startsWith('~')) {
      return { commands: [{ words: parts.map((p) => literal(p)), writes: [], stdin: [] }], parsed: true };
    }
  }
  parser ??= sh.syntax.NewParser();
  let file;
  try {
    file = parser.Parse(text, '');
  } catch {
    parser = undefined; // a failed parse can leave the parser mid-state; start clean next time
    return { commands: fallbackTokenize(text), parsed: false };
  }
  const walker = new AstWalker(assignedBefore);
  walker.stmts(file.Stmts);
  return { commands: walker.commands, parsed: true, assigned: walker.assignedNames() };
}

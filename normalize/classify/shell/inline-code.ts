/**
 * What a one-line program given to an interpreter (`python -c`, `node -e`, `ruby -e`,
 * `perl -e`, `php -r`) runs, read from the common shapes without a parser for the language:
 *  - shell text handed to a spawn API (`os.system("…")`, `subprocess.run("…", shell=True)`,
 *    `child_process.execSync('…')`, Perl/Ruby/PHP `system`, backticks, `qx{…}`, `%x(…)`)
 *    comes back as a script, to be parsed as shell again;
 *  - argv lists (`subprocess.run(["rm", "-rf", p])`, `execFileSync('rm', ['-rf', p])`,
 *    `system('rm', '-rf', $p)`) come back as words;
 *  - native deletions become the equivalent command, so the rm rules and target lists apply:
 *    `shutil.rmtree(p)`, `FileUtils.rm_rf(p)`, `fs.rmSync(p, {recursive: true})`, Perl
 *    `rmtree`/`remove_tree` → `rm -r p`; `os.remove(p)`, `fs.unlinkSync(p)`, `File.delete(p)`,
 *    `unlink(p)` → `rm p`; `os.rmdir(p)` → `rmdir p`.
 * An argument that is not a string literal becomes an unknown word (a spawn whose command is
 * computed yields a command with an unknown name); shell text joined from literals and computed
 * parts (`'rm -rf ' + d`, `'rm -rf %s' % d`) keeps its literal parts, the computed ones unknown. Code that matches nothing yields nothing.
 */
import { literal, unknownWord, type Word } from './word.js';

export type InlineRun = { kind: 'script'; text: string } | { kind: 'argv'; words: Word[] };

/** Calls whose first argument is shell text (or, when a list, an argv). */
const SHELL_CALLS: Record<string, RegExp> = {
  python: /\b(?:os\s*\.\s*(?:system|popen|exec[lv]p?e?)|subprocess\s*\.\s*(?:run|call|Popen|check_call|check_output|getoutput|getstatusoutput)|commands\s*\.\s*getoutput|pty\s*\.\s*spawn)\s*\(/g,
  js: /\b(?:exec|execSync|spawn|spawnSync|execFile|execFileSync|fork)\s*\(|\bBun\s*\.\s*(?:spawn|spawnSync|\$)\s*\(|\bDeno\s*\.\s*run\s*\(/g,
  ruby: /(?:\bsystem|\bexec|\bspawn|\bIO\s*\.\s*popen|\bOpen3\s*\.\s*(?:capture[23e]?|popen[23e]?|pipeline\w*))\s*\(?/g,
  perl: /\b(?:system|exec)\b\s*\(?/g,
  php: /\b(?:system|exec|shell_exec|passthru|popen|proc_open)\s*\(/g,
};

/** The node fs module as code names it: `fs.`, `fsp.`, `fs.promises.`, `require('fs').`. */
const FS = String.raw`(?:\bfsp?|\bpromises|\brequire\s*\(\s*['"](?:node:)?fs(?:/promises)?['"]\s*\))(?:\s*\.\s*promises)?\s*\.\s*`;

/** Native recursive deletes, plain deletes and directory removals, per language. */
const DELETES: Record<string, Array<[RegExp, string[]]>> = {
  python: [
    [/\bshutil\s*\.\s*rmtree\s*\(/g, ['rm', '-r']],
    [/\bos\s*\.\s*(?:remove|unlink)\s*\(/g, ['rm']],
    [/\bos\s*\.\s*(?:rmdir|removedirs)\s*\(/g, ['rmdir']],
  ],
  js: [
    [new RegExp(`${FS}(?:rm|rmSync)\\s*\\(`, 'g'), ['rm']],
    [new RegExp(`${FS}(?:unlink|unlinkSync)\\s*\\(`, 'g'), ['rm']],
    [new RegExp(`${FS}(?:rmdir|rmdirSync)\\s*\\(`, 'g'), ['rmdir']],
    [/\b(?:rimraf|rimrafSync)\s*\(/g, ['rm', '-r']],
  ],
  ruby: [
    [/\bFileUtils\s*\.\s*(?:rm_rf|rm_r|remove_dir|remove_entry(?:_secure)?|rmtree)\s*\(?/g, ['rm', '-r']],
    [/\bFileUtils\s*\.\s*(?:rm|rm_f|remove|remove_file)\b\s*\(?/g, ['rm']],
    [/\bFile\s*\.\s*(?:delete|unlink)\s*\(?/g, ['rm']],
    [/\b(?:Dir|FileUtils)\s*\.\s*(?:rmdir|delete|unlink)\s*\(?/g, ['rmdir']],
  ],
  perl: [
    [/\b(?:File::Path::)?(?:rmtree|remove_tree)\s*\(?/g, ['rm', '-r']],
    [/\bunlink\b\s*\(?/g, ['rm']],
    [/\brmdir\b\s*\(?/g, ['rmdir']],
  ],
  php: [
    [/\bunlink\s*\(/g, ['rm']],
    [/\brmdir\s*\(/g, ['rmdir']],
  ],
};

const QUOTES = new Set(['"', "'", '`']);

interface Lexed {
  /** The literal's value, or undefined when the argument is not a string literal. */
  value: string | undefined;
  end: number;
}

/** Reads a string literal at `at` (after blanks and Python's r/b/u prefixes). */
function stringAt(code: string, at: number): Lexed {
  let i = at;
  while (code[i] === ' ' || code[i] === '\t') i++;
  // Python f-strings and JS template literals interpolate: each `{…}`/`${…}` becomes `$F`,
  // a shell expansion the classifier treats as unknown (`rm -rf {d}` → unknown target).
  const interpolated = /[fF]/.test(code[i] ?? '') && QUOTES.has(code[i + 1] ?? '');
  if ((interpolated || /[rRbBuU]/.test(code[i] ?? '')) && QUOTES.has(code[i + 1] ?? '')) i++;
  const q = code[i] ?? '';
  if (!QUOTES.has(q)) return { value: undefined, end: i };
  const triple = code.startsWith(q.repeat(3), i);
  const close = triple ? q.repeat(3) : q;
  let out = '';
  for (i += close.length; i < code.length; i++) {
    if (code.startsWith(close, i)) {
      if (q === '`') out = out.replace(/\$\{[^}]*\}/g, '$F');
      if (interpolated) out = out.replace(/\{[^}]*\}/g, '$F');
      return { value: out, end: i + close.length };
    }
    const c = code[i]!;
    if (c === '\\' && i + 1 < code.length) {
      const n = code[++i]!;
      out += n === 'n' ? '\n' : n === 't' ? '\t' : n;
      continue;
    }
    out += c;
  }
  return { value: undefined, end: code.length };
}

/** Reads `[ 'a', "b", x ]` (or Perl/PHP `(…)` lists) into words; non-literals become unknown. */
function listAt(code: string, at: number): { words: Word[]; end: number } | undefined {
  let i = at;
  while (code[i] === ' ') i++;
  if (code[i] !== '[') return undefined;
  const words: Word[] = [];
  for (i++; i < code.length;) {
    while (code[i] === ' ' || code[i] === ',') i++;
    if (code[i] === ']') return { words, end: i + 1 };
    const s = stringAt(code, i);
    if (s.value !== undefined) {
      words.push(literal(s.value));
      i = s.end;
      continue;
    }
    words.push(unknownWord());
    const stop = code.slice(i).search(/[,\]]/);
    if (stop < 0) return { words, end: code.length };
    i += stop;
  }
  return { words, end: code.length };
}

/** The literal string arguments following a first one (`system('rm', '-rf', p)`). */
function moreStrings(code: string, at: number): Word[] {
  const out: Word[] = [];
  let i = at;
  for (;;) {
    const comma = /^\s*,\s*/.exec(code.slice(i));
    if (!comma) return out;
    i += comma[0].length;
    const list = listAt(code, i);
    if (list) return [...out, ...list.words];
    const s = stringAt(code, i);
    if (s.value === undefined) {
      // keyword arguments (shell=True, {recursive: true}) end the argv
      if (/^[A-Za-z_$][\w$]*\s*[=:]/.test(code.slice(i)) || code[i] === '{') return out;
      out.push(unknownWord());
      const stop = code.slice(i).search(/[,)]/);
      if (stop < 0) return out;
      i += stop;
      continue;
    }
    out.push(literal(s.value));
    i = s.end;
  }
}

/** An operand that is not a literal: a name with attribute, index and call suffixes (`d`, `$dir`, `args.path`, `sys.argv[1]`). */
const OPERAND = /^\$?[A-Za-z_][\w$]*(?:\s*(?:\.\s*[A-Za-z_$][\w$]*|\[[^\]]*\]|\([^()]*\)))*/;
/** Python `%` / str.format holes, Ruby `#{…}` interpolation: values computed at run time. */
const HOLES: Record<string, RegExp> = {
  python: /%[-#0 +]*\d*(?:\.\d+)?[sdrifx]|\{[^{}]*\}/g,
  ruby: /#\{[^}]*\}/g,
};

/**
 * Shell text built at run time from a literal and computed parts (`'rm -rf ' + d`,
 * `"rm -rf " . $d`, `'rm -rf %s' % d`, `'rm -rf {}'.format(d)`, Ruby `"rm -rf #{d}"`): literal
 * parts are joined and each computed part becomes `$F`, an expansion the shell rules treat as an
 * unknown target, instead of being dropped (`rm -rf` with no target at all).
 */
function joined(code: string, first: { value: string; end: number }, language: string): { value: string; end: number } {
  let { value, end } = first;
  const after = code.slice(end);
  const holes = HOLES[language];
  if (language === 'ruby') value = value.replace(holes!, '$F');
  if (language === 'python' && (/^\s*%/.test(after) || /^\s*\.\s*format\s*\(/.test(after))) return { value: value.replace(holes!, '$F'), end };
  const plus = language === 'perl' || language === 'php' ? /^\s*\.\s*/ : /^\s*\+\s*/;
  for (;;) {
    const op = plus.exec(code.slice(end));
    if (!op) return { value, end };
    const at = end + op[0].length;
    const s = stringAt(code, at);
    if (s.value !== undefined) {
      value += s.value;
      end = s.end;
      continue;
    }
    const operand = OPERAND.exec(code.slice(at));
    if (!operand) return { value, end };
    value += '$F';
    end = at + operand[0].length;
  }
}

function spawnRuns(code: string, language: string, out: InlineRun[]): void {
  const calls = SHELL_CALLS[language];
  if (!calls) return;
  for (const m of code.matchAll(calls)) {
    const at = m.index + m[0].length;
    const list = listAt(code, at);
    if (list) {
      out.push({ kind: 'argv', words: list.words.length > 0 ? list.words : [unknownWord()] });
      continue;
    }
    const literalFirst = stringAt(code, at);
    if (literalFirst.value === undefined) {
      out.push({ kind: 'argv', words: [unknownWord('$(…)')] });
      continue;
    }
    const first = joined(code, { value: literalFirst.value, end: literalFirst.end }, language);
    const rest = moreStrings(code, first.end);
    // One string is shell text; a program name followed by arguments is an argv.
    if (rest.length === 0 || /[\s;|&]/.test(first.value)) out.push({ kind: 'script', text: first.value });
    else out.push({ kind: 'argv', words: [literal(first.value), ...rest] });
  }
}

function deleteRuns(code: string, language: string, out: InlineRun[]): void {
  for (const [pattern, command] of DELETES[language] ?? []) {
    for (const m of code.matchAll(pattern)) {
      const at = m.index + m[0].length;
      const list = language === 'perl' || language === 'ruby' ? listAt(code, at) : undefined;
      const first = stringAt(code, at);
      const targets = list ? list.words : [first.value === undefined ? unknownWord() : literal(first.value), ...(first.value === undefined ? [] : moreStrings(code, first.end))];
      let argv = command;
      // fs.rm/fs.rmSync delete recursively only when told to.
      if (language === 'js' && command.length === 1) {
        const call = code.slice(at, at + 200);
        if (/recursive\s*:\s*true/.test(call)) argv = ['rm', '-r'];
      }
      out.push({ kind: 'argv', words: [...argv.map((a) => literal(a)), ...targets] });
    }
  }
}

/** Backticks and quote-like operators that run shell text (Perl, Ruby, PHP). */
function backtickRuns(code: string, language: string, out: InlineRun[]): void {
  if (language !== 'perl' && language !== 'ruby' && language !== 'php') return;
  for (const m of code.matchAll(/`([^`]*)`|\b(?:qx|%x)\s*([{([<|/!])/g)) {
    if (m[1] !== undefined) {
      out.push({ kind: 'script', text: m[1] });
      continue;
    }
    const open = m[2]!;
    const close = ({ '{': '}', '(': ')', '[': ']', '<': '>' } as Record<string, string>)[open] ?? open;
    const start = m.index + m[0].length;
    const end = code.indexOf(close, start);
    out.push({ kind: 'script', text: code.slice(start, end < 0 ? code.length : end) });
  }
}

/** Every command the inline program runs, in the order found (spawns, deletes, backticks). */
export function inlineCodeRuns(code: string, language: string): InlineRun[] {
  const out: InlineRun[] = [];
  spawnRuns(code, language, out);
  deleteRuns(code, language, out);
  backtickRuns(code, language, out);
  return out;
}

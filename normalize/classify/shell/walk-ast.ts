/**
 * Turns the shell parser's syntax tree into simple commands. Every place a command can hide is
 * visited: lists and pipelines, subshells and blocks, if/while/for/case bodies, functions,
 * `time`/`coproc`, command and process substitutions (inside words, assignments, redirects
 * and heredocs). Words are flattened to their values; expansions are marked unknown, except
 * `$HOME`, `$PWD` and `$TMPDIR` (`${TMPDIR:-/tmp}` too) while the text has not assigned them,
 * and `$(echo LITERAL)` / `$(printf '%s' LITERAL)`, whose value is that literal. Static text
 * piped into a command (`echo …|`, `printf …|`, then through `base64 -d` or `xxd -r -p`) is
 * handed to it as stdin, so a shell reading it has a script. What feeds a command's input is
 * kept with it: files read with `<`, the commands upstream in a pipeline, and the commands of
 * substitutions in its words (`curl -d "$(cat k)"`), so a rule can see a secret reach a sender.
 * Command words are expanded as bash does before running: brace lists of literal text
 * (`{rm,-rf,/x}`, bounded), variables given a literal by a statement that surely ran before
 * in this text (`X=rm; $X -rf /x`; any doubt makes the variable unknown for good), and
 * unquoted known values split on blanks. An unquoted `$X` nothing assigned is marked as
 * possibly empty, so the words after it are read as a command too (`unwrap.ts`).
 */
import sh from 'mvdan-sh';
import { ACTIVE, INERT, SPLIT, braceExpand, chars, fieldSplit, type Ch } from './brace-expand.js';
import { redirectOps } from './redirect-ops.js';
import { literal, type Feed, type RedirectWrite, type SimpleCommand, type Word } from './word.js';

/** A node of the GopherJS syntax tree; fields are read by name after checking NodeType. */
type Node = Record<string, unknown>;

const nodeType = (n: unknown): string => (n ? sh.syntax.NodeType(n as never) : '');
const list = (v: unknown): Node[] => (Array.isArray(v) ? (v.filter(Boolean) as Node[]) : []);
const DISCARD = new Set(['/dev/null', '/dev/stdout', '/dev/stderr']);
const KNOWN_VARS: Record<string, string> = { HOME: '~', PWD: '.', TMPDIR: '/tmp' };
/** `${TMPDIR:-/tmp}` and `${TMPDIR-/tmp}`: mvdan/sh's operator codes for `:-` and `-`. */
const DEFAULT_OPS = new Set([70, 71]);
const TEMP_DEFAULTS = new Set(['/tmp', '/var/tmp']);
/** Words one brace-expanded word may become before it is taken as unknown instead. */
export const MAX_BRACE_WORDS = 64;
/** Words longer than this are not brace-expanded (taken as unknown when they hold a list). */
const MAX_BRACE_INPUT = 4096;
/** Parameters that may expand to nothing: a name, a positional parameter, `$@`, `$*`. */
const MAY_BE_EMPTY = /^(?:[A-Za-z_][A-Za-z0-9_]*|[1-9]|@|\*)$/;
/** Builtins that set the variables named among their arguments to values read at run time. */
const SETS_NAMED = new Set(['read', 'mapfile', 'readarray', 'unset', 'getopts']);
/** What may change any variable: code run at run time, arithmetic, a nameref. */
const SETS_ANY = new Set(['eval', 'source', '.', 'let']);

/** Removes the backslashes the shell would remove from unquoted (or double-quoted) text. */
function unescape(raw: string, inDouble: boolean): string {
  if (!raw.includes('\\')) return raw;
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === '\\' && i + 1 < raw.length) {
      const next = raw[i + 1]!;
      if (next === '\n') { i++; continue; }
      if (!inDouble || '$`"\\'.includes(next)) { out += next; i++; continue; }
    }
    out += c;
  }
  return out;
}

const PRINTERS = new Set(['echo', 'printf']);

/** What `echo`/`printf` print when every argument is literal (undefined when unsure). */
export function printedText(words: readonly Word[]): string | undefined {
  const name = words[0]?.text;
  if (!name || !PRINTERS.has(name) || words.some((w) => w.unknown)) return undefined;
  const args = words.slice(1).map((w) => w.text);
  if (name === 'echo') {
    while (args.length > 0 && /^-[neE]+$/.test(args[0]!)) args.shift();
    return args.join(' ').replace(/\\n/g, '\n');
  }
  const format = (args[0] ?? '').replace(/\\n/g, '\n');
  const values = args.slice(1);
  if (/^%[sb]\n?$/.test(format)) return values.join(format.endsWith('\n') ? '\n' : '');
  let next = 0;
  const text = format.replace(/%[sbd]/g, () => values[next++] ?? '');
  return /%[^%]/.test(text.replace(/%%/g, '')) ? undefined : text.replace(/%%/g, '%');
}

/** Filters whose output is fixed by literal input: base64 and hex decoding. */
function filtered(words: readonly Word[], input: string): string | undefined {
  const name = words[0]?.text ?? '';
  const flags = words.slice(1).map((w) => w.text);
  if (name === 'base64' && flags.some((f) => f === '-d' || f === '--decode' || f === '-D')) return Buffer.from(input.trim(), 'base64').toString('utf8');
  if (name === 'xxd' && flags.includes('-r') && flags.some((f) => f === '-p' || f === '-ps' || f === '-plain')) return Buffer.from(input.replace(/\s+/g, ''), 'hex').toString('utf8');
  return undefined;
}

/** A command as the input of the next one: itself, then whatever fed it. */
export function upstream(c: SimpleCommand): Feed[] {
  return c.words.length > 0 ? [{ command: c.words }, ...(c.feeds ?? [])] : [...(c.feeds ?? [])];
}

const sameFeed = (a: Feed, b: Feed): boolean => ('file' in a ? 'file' in b && a.file === b.file : 'command' in b && a.command === b.command);

export class AstWalker {
  readonly commands: SimpleCommand[] = [];
  /** Static text piped in by `echo …|` / `printf …|`, given to the next simple command. */
  private pipedText: string | undefined;
  /** What the previous stage of a pipeline was fed and ran, given to the next stage. */
  private pipedFeeds: Feed[] | undefined;
  /** Output of commands whose output is fixed (printers, decoders fed literal text). */
  private readonly output = new WeakMap<SimpleCommand, string>();
  /** Variables assigned so far in this text (or by whoever ran it): no longer known. */
  private readonly assigned: Set<string>;
  /**
   * Variables whose value is known here: a literal assigned by a statement that surely ran
   * before (`X=rm; $X`, `X=rm && $X`, `export X=rm`). An assignment that may or may not run
   * (a branch, loop, pipeline stage, subshell, function, `||`/`&&` right side) or whose value is
   * not a literal takes the variable out for good.
   */
  private readonly values = new Map<string, string>();
  /** Nesting of places whose assignments may not run, or not in this shell. */
  private conditional = 0;
  /** Functions this text defines: calling one may assign anything. */
  private readonly functions = new Set<string>();

  constructor(assignedBefore: Iterable<string> = []) {
    this.assigned = new Set(assignedBefore);
  }

  /** Names this text assigned (prefix assignments, `export`, `declare`, plain `X=…`). */
  assignedNames(): string[] {
    return [...this.assigned];
  }

  stmts(stmts: unknown): void {
    for (const s of list(stmts)) this.stmt(s);
  }

  /** Walks `fn` as a place whose assignments may not run (or not in this shell). */
  private maybe(fn: () => void): void {
    this.conditional++;
    try {
      fn();
    } finally {
      this.conditional--;
    }
  }

  private forget(name: string): void {
    this.values.delete(name);
    this.assigned.add(name);
  }

  private forgetAll(): void {
    for (const name of this.values.keys()) this.assigned.add(name);
    this.values.clear();
  }

  private stmt(stmt: Node): void {
    if (stmt.Background === true || stmt.Coprocess === true) {
      this.maybe(() => this.stmtNow(stmt));
      return;
    }
    this.stmtNow(stmt);
  }

  private stmtNow(stmt: Node): void {
    const ops = redirectOps();
    const writes: RedirectWrite[] = [];
    const stdin: string[] = [];
    const feeds: Feed[] = [];
    for (const r of list(stmt.Redirs)) {
      const op = r.Op as number;
      if (ops.read.has(op)) feeds.push({ file: this.word(r.Word) });
      else if (ops.heredoc.has(op)) stdin.push(this.word(r.Hdoc).text);
      else if (ops.herestring.has(op)) stdin.push(this.word(r.Word).text);
      else if (ops.write.has(op) || ops.append.has(op)) {
        const path = this.word(r.Word);
        if (!/^&?\d*-?$/.test(path.text) && !DISCARD.has(path.text)) writes.push({ path, append: ops.append.has(op) });
      } else this.word(r.Word);
    }
    this.command(stmt.Cmd as Node | null, writes, stdin, feeds);
  }

  private command(cmd: Node | null, writes: RedirectWrite[], stdin: string[], feeds: Feed[] = []): void {
    const type = nodeType(cmd);
    if (!cmd || type === '') {
      if (writes.length > 0) this.commands.push({ words: [], writes, stdin });
      return;
    }
    switch (type) {
      case 'CallExpr': {
        const args = list(cmd.Args);
        // Assignments before a command last for that command only: no longer known after it.
        for (const a of list(cmd.Assigns)) this.assign(a, args.length > 0);
        const piped = this.pipedFeeds;
        this.pipedFeeds = undefined;
        const before = this.commands.length;
        const words = args.flatMap((w) => this.words(w));
        this.noteSetters(words);
        // Substitutions in the words ran first; their output is part of this command's input.
        for (const sub of this.commands.slice(before)) for (const f of upstream(sub)) if (!feeds.some((g) => sameFeed(f, g))) feeds.push(f);
        if (piped !== undefined && words.length > 0) feeds.push(...piped);
        let decoded: string | undefined;
        if (this.pipedText !== undefined && words.length > 0) {
          stdin.push(this.pipedText);
          decoded = filtered(words, this.pipedText);
          this.pipedText = undefined;
        }
        if (words.length > 0 || writes.length > 0) {
          const simple: SimpleCommand = { words, writes, stdin, ...(feeds.length > 0 ? { feeds } : {}) };
          this.commands.push(simple);
          const out = decoded ?? printedText(words);
          if (out !== undefined) this.output.set(simple, out);
        }
        return;
      }
      case 'BinaryCmd': {
        const before = this.commands.length;
        if (cmd.X) {
          const x = cmd.X as Node;
          if (redirectOps().pipe.has(cmd.Op as number)) this.maybe(() => this.stmt(x));
          else this.stmt(x);
        }
        const last = this.commands.length > before ? this.commands[this.commands.length - 1] : undefined;
        const out = last ? this.output.get(last) : undefined;
        const pipe = redirectOps().pipe.has(cmd.Op as number);
        if (pipe && out !== undefined) this.pipedText = out;
        if (pipe && last !== undefined && last.words.length > 0) this.pipedFeeds = upstream(last);
        // The right side of `&&`/`||` may not run; every stage of a pipeline runs in a subshell.
        if (cmd.Y) this.maybe(() => this.stmt(cmd.Y as Node));
        this.pipedText = undefined;
        this.pipedFeeds = undefined;
        break;
      }
      case 'Subshell':
        this.maybe(() => this.stmts(cmd.Stmts));
        break;
      case 'Block':
        this.stmts(cmd.Stmts);
        break;
      case 'IfClause':
        this.maybe(() => {
          this.stmts(cmd.Cond);
          this.stmts(cmd.Then);
          if (cmd.Else) this.command(cmd.Else as Node, [], []);
        });
        break;
      case 'WhileClause':
        this.maybe(() => {
          this.stmts(cmd.Cond);
          this.stmts(cmd.Do);
        });
        break;
      case 'ForClause': {
        const loop = cmd.Loop as Node | null;
        if (nodeType(loop) === 'WordIter') {
          for (const w of list(loop!.Items)) this.word(w);
          const name = (loop!.Name as Node | null)?.Value;
          if (typeof name === 'string') this.forget(name);
        } else this.forgetAll(); // C-style `for ((…))`: arithmetic may assign anything
        this.maybe(() => this.stmts(cmd.Do));
        break;
      }
      case 'CaseClause':
        this.word(cmd.Word);
        this.maybe(() => {
          for (const item of list(cmd.Items)) this.stmts(item.Stmts);
        });
        break;
      case 'FuncDecl': {
        const name = (cmd.Name as Node | null)?.Value;
        if (typeof name === 'string') this.functions.add(name);
        if (cmd.Body) this.maybe(() => this.stmt(cmd.Body as Node));
        break;
      }
      case 'CoprocClause':
        if (cmd.Stmt) this.maybe(() => this.stmt(cmd.Stmt as Node));
        break;
      case 'TimeClause':
        if (cmd.Stmt) this.stmt(cmd.Stmt as Node);
        break;
      case 'DeclClause': {
        const options = list(cmd.Args).filter((a) => !a.Name);
        // `declare -n`, `-i`, `-a`…: the values are not plain strings any more.
        if (options.length > 0) this.forgetAll();
        for (const a of list(cmd.Args)) if (a.Name) this.assign(a, options.length > 0);
        break;
      }
      case 'ArithmCmd':
      case 'LetClause':
        this.forgetAll();
        break;
      default:
        // Test clauses, arithmetic and let carry no commands except through substitutions,
        // which only appear inside words we do not need here.
        break;
    }
    if (writes.length > 0) this.commands.push({ words: [], writes, stdin });
  }

  /**
   * Records an assignment. Its value is kept only when it is a literal, assigned by a statement
   * that surely runs in this shell and lasts (not `X=v cmd`, not `X+=v`, not an array or index).
   * `declare X` with no value changes nothing.
   */
  private assign(a: Node, temporary: boolean): void {
    const name = (a.Name as Node | null)?.Value;
    // `X=` assigns the empty string; `export X` (naked) assigns nothing.
    const value = a.Value ? this.word(a.Value) : a.Naked === true ? undefined : literal('');
    const arr = a.Array as Node | null;
    if (arr) for (const e of list(arr.Elems)) if (e.Value) this.word(e.Value);
    if (typeof name !== 'string') return;
    if (a.Naked === true && !temporary) return;
    const constant = !temporary && this.conditional === 0 && a.Append !== true && !arr && !a.Index && value !== undefined && !value.unknown && value.content === undefined;
    this.forget(name);
    if (constant) this.values.set(name, value.text);
  }

  /** `read X`, `unset X`, `printf -v X`, a defined function or `eval` called: variables change. */
  private noteSetters(words: readonly Word[]): void {
    const name = words[0]?.text ?? '';
    if (SETS_ANY.has(name) || this.functions.has(name) || words[0]?.unknown === true) {
      this.forgetAll();
      return;
    }
    const named = (w: Word | undefined): boolean => w !== undefined && /^[A-Za-z_][A-Za-z0-9_]*$/.test(w.text);
    if (SETS_NAMED.has(name)) for (const w of words.slice(1)) if (named(w)) this.forget(w.text);
    if (name === 'printf') words.forEach((w, i) => { if (w.text === '-v' && named(words[i + 1])) this.forget(words[i + 1]!.text); });
  }

  /**
   * The words one command argument becomes: brace lists expanded (`{rm,-rf,/x}`), known
   * values split on blanks (`X='rm -rf'; $X /x`), an unquoted empty value dropped. A word that
   * is only an unquoted variable nothing assigned (`$EMPTY`) is marked as possibly empty.
   */
  words(w: unknown): Word[] {
    const out: Word = { text: '', unknown: false, unknownRoot: false };
    if (!w) return [out];
    const parts = list((w as Node).Parts);
    const buf: Ch[] = [];
    const seen = { quoted: false, split: false };
    this.parts(parts, false, out, buf, seen);
    if (out.unknown) {
      if (parts.length === 1 && this.mayBeEmpty(parts[0]!)) out.vanishes = true;
      return [out];
    }
    if (out.content !== undefined || (!seen.split && !buf.some((x) => x.f === ACTIVE && x.c === '{'))) return [out];
    const expanded = buf.length <= MAX_BRACE_INPUT ? braceExpand(buf, MAX_BRACE_WORDS) : undefined;
    // Too many words (or too long a word): what runs is not read; the word is unknown.
    if (expanded === undefined) return [{ text: out.text, unknown: true, unknownRoot: true }];
    return expanded.flatMap((e) => fieldSplit(e, seen.quoted)).map((t) => literal(t));
  }

  /** An unquoted `$X`/`${X}` of a variable nothing here assigned, which may be unset or empty. */
  private mayBeEmpty(p: Node): boolean {
    if (nodeType(p) !== 'ParamExp') return false;
    const name = ((p.Param as Node | null)?.Value as string | undefined) ?? '';
    const plain = !p.Exp && !p.Repl && !p.Slice && !p.Length && !p.Excl && !p.Index;
    return plain && MAY_BE_EMPTY.test(name) && !this.assigned.has(name) && KNOWN_VARS[name] === undefined;
  }

  /** Flattens a word; nested command substitutions are walked as commands of their own. */
  word(w: unknown): Word {
    const out: Word = { text: '', unknown: false, unknownRoot: false };
    if (!w) return out;
    this.parts(list((w as Node).Parts), false, out, [], { quoted: false, split: false });
    return out;
  }

  /** Flattens parts into `out`, and into `buf` character by character with what each may do. */
  private parts(parts: Node[], inDouble: boolean, out: Word, buf: Ch[], seen: { quoted: boolean; split: boolean }): void {
    for (const p of parts) {
      const first = out.text === '' && !out.unknown;
      switch (nodeType(p)) {
        case 'Lit': {
          const raw = p.Value as string;
          const text = unescape(raw, inDouble);
          out.text += text;
          if (inDouble || !raw.includes('\\')) buf.push(...chars(text, inDouble ? INERT : ACTIVE));
          else {
            for (let i = 0; i < raw.length; i++) {
              if (raw[i] !== '\\' || i + 1 >= raw.length) buf.push({ c: raw[i]!, f: ACTIVE });
              else if (raw[++i] !== '\n') buf.push({ c: raw[i]!, f: INERT });
            }
          }
          break;
        }
        case 'SglQuoted':
          out.text += p.Value as string;
          buf.push(...chars(p.Value as string, INERT));
          seen.quoted = true;
          break;
        case 'DblQuoted':
          seen.quoted = true;
          this.parts(list(p.Parts), true, out, buf, seen);
          break;
        case 'ParamExp': {
          const name = ((p.Param as Node | null)?.Value as string | undefined) ?? '';
          const exp = p.Exp as Node | null;
          const tempDefault = name === 'TMPDIR' && exp !== null && DEFAULT_OPS.has(exp.Op as number) && TEMP_DEFAULTS.has(this.word(exp.Word).text);
          const plain = (!exp || tempDefault) && !p.Repl && !p.Slice && !p.Length && !p.Excl && !p.Index;
          const known = plain && !this.assigned.has(name) ? KNOWN_VARS[name] : undefined;
          const value = plain && !exp ? this.values.get(name) : undefined;
          // A known value is substituted; unquoted, it splits on blanks (unless IFS was changed).
          if (value !== undefined && (inDouble || !this.assigned.has('IFS'))) {
            out.text += value;
            buf.push(...chars(value, inDouble ? INERT : SPLIT));
            if (!inDouble) seen.split = true;
          } else if (known !== undefined && first) {
            out.text += known;
            buf.push(...chars(known, INERT));
          } else {
            out.text += `$${name}`;
            out.unknown = true;
            if (first) out.unknownRoot = true;
          }
          break;
        }
        case 'CmdSubst':
        case 'ProcSubst': {
          const before = this.commands.length;
          this.maybe(() => this.stmts(p.Stmts)); // a subshell: its assignments do not last
          const only = this.commands.length === before + 1 && list(p.Stmts).length === 1 && nodeType(list(p.Stmts)[0]!.Cmd) === 'CallExpr' ? this.commands[before]! : undefined;
          const printed = only ? this.output.get(only) : undefined;
          if (printed !== undefined && nodeType(p) === 'CmdSubst') {
            const value = printed.replace(/\n+$/, '');
            out.text += value;
            buf.push(...chars(value, inDouble ? INERT : SPLIT));
            if (!inDouble) seen.split = true;
            break;
          }
          if (printed !== undefined && first) out.content = printed;
          out.text += '$(…)';
          out.unknown = true;
          if (first) out.unknownRoot = true;
          break;
        }
        case 'ArithmExp':
          out.text += '$((…))';
          out.unknown = true;
          break;
        case 'ExtGlob':
          out.text += '*';
          buf.push({ c: '*', f: INERT });
          break;
        default:
          break;
      }
    }
  }
}

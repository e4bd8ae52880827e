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
 */
import sh from 'mvdan-sh';
import { redirectOps } from './redirect-ops.js';
import type { Feed, RedirectWrite, SimpleCommand, Word } from './word.js';

/** A node of the GopherJS syntax tree; fields are read by name after checking NodeType. */
type Node = Record<string, unknown>;

const nodeType = (n: unknown): string => (n ? sh.syntax.NodeType(n as never) : '');
const list = (v: unknown): Node[] => (Array.isArray(v) ? (v.filter(Boolean) as Node[]) : []);
const DISCARD = new Set(['/dev/null', '/dev/stdout', '/dev/stderr']);
const KNOWN_VARS: Record<string, string> = { HOME: '~', PWD: '.', TMPDIR: '/tmp' };
/** `${TMPDIR:-/tmp}` and `${TMPDIR-/tmp}`: mvdan/sh's operator codes for `:-` and `-`. */
const DEFAULT_OPS = new Set([70, 71]);
const TEMP_DEFAULTS = new Set(['/tmp', '/var/tmp']);

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

  private stmt(stmt: Node): void {
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
        for (const a of list(cmd.Assigns)) this.assign(a);
        const piped = this.pipedFeeds;
        this.pipedFeeds = undefined;
        const before = this.commands.length;
        const words = list(cmd.Args).map((w) => this.word(w));
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
        if (cmd.X) this.stmt(cmd.X as Node);
        const last = this.commands.length > before ? this.commands[this.commands.length - 1] : undefined;
        const out = last ? this.output.get(last) : undefined;
        const pipe = redirectOps().pipe.has(cmd.Op as number);
        if (pipe && out !== undefined) this.pipedText = out;
        if (pipe && last !== undefined && last.words.length > 0) this.pipedFeeds = upstream(last);
        if (cmd.Y) this.stmt(cmd.Y as Node);
        this.pipedText = undefined;
        this.pipedFeeds = undefined;
        break;
      }
      case 'Subshell':
      case 'Block':
        this.stmts(cmd.Stmts);
        break;
      case 'IfClause':
        this.stmts(cmd.Cond);
        this.stmts(cmd.Then);
        if (cmd.Else) this.command(cmd.Else as Node, [], []);
        break;
      case 'WhileClause':
        this.stmts(cmd.Cond);
        this.stmts(cmd.Do);
        break;
      case 'ForClause': {
        const loop = cmd.Loop as Node | null;
        if (nodeType(loop) === 'WordIter') for (const w of list(loop!.Items)) this.word(w);
        this.stmts(cmd.Do);
        break;
      }
      case 'CaseClause':
        this.word(cmd.Word);
        for (const item of list(cmd.Items)) this.stmts(item.Stmts);
        break;
      case 'FuncDecl':
      case 'TimeClause':
      case 'CoprocClause': {
        const inner = (type === 'FuncDecl' ? cmd.Body : cmd.Stmt) as Node | null;
        if (inner) this.stmt(inner);
        break;
      }
      case 'DeclClause':
        for (const a of list(cmd.Args)) this.assign(a);
        break;
      default:
        // Test clauses, arithmetic and let carry no commands except through substitutions,
        // which only appear inside words we do not need here.
        break;
    }
    if (writes.length > 0) this.commands.push({ words: [], writes, stdin });
  }

  private assign(a: Node): void {
    const name = (a.Name as Node | null)?.Value;
    if (typeof name === 'string') this.assigned.add(name);
    if (a.Value) this.word(a.Value);
    const arr = a.Array as Node | null;
    if (arr) for (const e of list(arr.Elems)) if (e.Value) this.word(e.Value);
  }

  /** Flattens a word; nested command substitutions are walked as commands of their own. */
  word(w: unknown): Word {
    const out: Word = { text: '', unknown: false, unknownRoot: false };
    if (!w) return out;
    this.parts(list((w as Node).Parts), false, out);
    return out;
  }

  private parts(parts: Node[], inDouble: boolean, out: Word): void {
    for (const p of parts) {
      const first = out.text === '' && !out.unknown;
      switch (nodeType(p)) {
        case 'Lit':
          out.text += unescape(p.Value as string, inDouble);
          break;
        case 'SglQuoted':
          out.text += p.Value as string;
          break;
        case 'DblQuoted':
          this.parts(list(p.Parts), true, out);
          break;
        case 'ParamExp': {
          const name = ((p.Param as Node | null)?.Value as string | undefined) ?? '';
          const exp = p.Exp as Node | null;
          const tempDefault = name === 'TMPDIR' && exp !== null && DEFAULT_OPS.has(exp.Op as number) && TEMP_DEFAULTS.has(this.word(exp.Word).text);
          const plain = (!exp || tempDefault) && !p.Repl && !p.Slice && !p.Length && !p.Excl && !p.Index;
          const known = plain && !this.assigned.has(name) ? KNOWN_VARS[name] : undefined;
          if (known !== undefined && first) out.text += known;
          else {
            out.text += `$${name}`;
            out.unknown = true;
            if (first) out.unknownRoot = true;
          }
          break;
        }
        case 'CmdSubst':
        case 'ProcSubst': {
          const before = this.commands.length;
          this.stmts(p.Stmts);
          const only = this.commands.length === before + 1 && list(p.Stmts).length === 1 && nodeType(list(p.Stmts)[0]!.Cmd) === 'CallExpr' ? this.commands[before]! : undefined;
          const printed = only ? this.output.get(only) : undefined;
          if (printed !== undefined && nodeType(p) === 'CmdSubst') {
            out.text += printed.replace(/\n+$/, '');
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
          break;
        default:
          break;
      }
    }
  }
}

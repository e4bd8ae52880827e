/**
 * Turns the shell parser's syntax tree into simple commands. Every place a command can hide is
 * visited: lists and pipelines, subshells and blocks, if/while/for/case bodies, functions,
 * `time`/`coproc`, command and process substitutions (inside words, assignments, redirects
 * and heredocs). Words are flattened to their values; expansions are marked unknown.
 */
import sh from 'mvdan-sh';
import { redirectOps } from './redirect-ops.js';
import type { RedirectWrite, SimpleCommand, Word } from './word.js';

/** A node of the GopherJS syntax tree; fields are read by name after checking NodeType. */
type Node = Record<string, unknown>;

const nodeType = (n: unknown): string => (n ? sh.syntax.NodeType(n as never) : '');
const list = (v: unknown): Node[] => (Array.isArray(v) ? (v.filter(Boolean) as Node[]) : []);
const DISCARD = new Set(['/dev/null', '/dev/stdout', '/dev/stderr']);
const KNOWN_VARS: Record<string, string> = { HOME: '~', PWD: '.' };

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

export class AstWalker {
  readonly commands: SimpleCommand[] = [];
  /** Static text piped in by `echo …|` / `printf …|`, given to the next simple command. */
  private pipedText: string | undefined;

  stmts(stmts: unknown): void {
    for (const s of list(stmts)) this.stmt(s);
  }

  private stmt(stmt: Node): void {
    const ops = redirectOps();
    const writes: RedirectWrite[] = [];
    const stdin: string[] = [];
    for (const r of list(stmt.Redirs)) {
      const op = r.Op as number;
      if (ops.heredoc.has(op)) stdin.push(this.word(r.Hdoc).text);
      else if (ops.herestring.has(op)) stdin.push(this.word(r.Word).text);
      else if (ops.write.has(op) || ops.append.has(op)) {
        const path = this.word(r.Word);
        if (!/^&?\d*-?$/.test(path.text) && !DISCARD.has(path.text)) writes.push({ path, append: ops.append.has(op) });
      } else this.word(r.Word);
    }
    this.command(stmt.Cmd as Node | null, writes, stdin);
  }

  private command(cmd: Node | null, writes: RedirectWrite[], stdin: string[]): void {
    const type = nodeType(cmd);
    if (!cmd || type === '') {
      if (writes.length > 0) this.commands.push({ words: [], writes, stdin });
      return;
    }
    switch (type) {
      case 'CallExpr': {
        for (const a of list(cmd.Assigns)) this.assign(a);
        const words = list(cmd.Args).map((w) => this.word(w));
        if (this.pipedText !== undefined && words.length > 0) {
          stdin.push(this.pipedText);
          this.pipedText = undefined;
        }
        if (words.length > 0 || writes.length > 0) this.commands.push({ words, writes, stdin });
        return;
      }
      case 'BinaryCmd': {
        const before = this.commands.length;
        if (cmd.X) this.stmt(cmd.X as Node);
        const last = this.commands[this.commands.length - 1];
        const printer = this.commands.length === before + 1 && last && PRINTERS.has(last.words[0]?.text ?? '');
        if (redirectOps().pipe.has(cmd.Op as number) && printer && last.words.slice(1).every((w) => !w.unknown)) {
          const args = last.words.slice(1).filter((w) => !w.text.startsWith('-')).map((w) => w.text);
          this.pipedText = args.join(' ').replace(/\\n/g, '\n');
        }
        if (cmd.Y) this.stmt(cmd.Y as Node);
        this.pipedText = undefined;
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
          const plain = !p.Exp && !p.Repl && !p.Slice && !p.Length && !p.Excl && !p.Index;
          const known = plain ? KNOWN_VARS[name] : undefined;
          if (known !== undefined && first) out.text += known;
          else {
            out.text += `$${name}`;
            out.unknown = true;
            if (first) out.unknownRoot = true;
          }
          break;
        }
        case 'CmdSubst':
        case 'ProcSubst':
          this.stmts(p.Stmts);
          out.text += '$(…)';
          out.unknown = true;
          if (first) out.unknownRoot = true;
          break;
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

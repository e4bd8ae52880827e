/**
 * Finds the commands that really run. Wrappers from the rule files are peeled off (`sudo -u x`,
 * `env A=b`, `nohup`, `nice -n 5`, `timeout 10`, `xargs -I{}`); shells given a script
 * (`bash -c "…"`, `sh -c`, `eval`, `ssh host "…"`, `bash <<EOF … EOF`) have that script parsed
 * again, up to a bounded depth; `find … -exec cmd {} ;` yields `cmd` with the found files as
 * its argument. Input a wrapper feeds in (xargs) becomes an unknown word. A wrapper given one of
 * its report-only flags (`command -v rm`) runs nothing. Interpreters given a one-line program
 * (`python -c`, `node -e`, or a heredoc on stdin) stay a command of their own, and what the
 * program runs (`inline-code.ts`) is added: shell text parsed again, argv lists as commands.
 * Variables assigned on the way in (`TMPDIR=/ sh -c …`) reach the nested parse as unknown.
 * A script file that is a process substitution with fixed output (`bash <(echo …)`,
 * `source <(printf …)`) is that output.
 * A first word that may expand to nothing (`$EMPTY rm -rf /x`) gives two readings: the computed
 * command as written, and the words after it as the command.
 */
import type { WrapperSpec } from '../rule-schema.js';
import { inlineCodeRuns } from './inline-code.js';
import { parseShell } from './parse-shell.js';
import { upstream } from './walk-ast.js';
import { literal, unknownWord, type SimpleCommand, type Word } from './word.js';

export const MAX_SCRIPT_DEPTH = 4;

export interface ExecCommand extends SimpleCommand {
  /** Wrappers peeled off to reach this command, outermost first. */
  via: string[];
  /** Shell text this command came from was parsed by the fallback tokenizer. */
  unparsed: boolean;
}

export function baseName(word: string): string {
  const slash = word.lastIndexOf('/');
  return slash >= 0 ? word.slice(slash + 1) : word;
}

const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

export class Unwrapper {
  private readonly byName = new Map<string, WrapperSpec>();

  constructor(wrappers: WrapperSpec[]) {
    for (const w of wrappers) for (const n of w.names) this.byName.set(n, w);
  }

  /** Parses `text` and returns every command it runs, wrappers removed. */
  script(text: string, depth = 0, via: string[] = [], assigned: readonly string[] = []): ExecCommand[] {
    const parsed = parseShell(text, assigned);
    const out: ExecCommand[] = [];
    const names = parsed.assigned ? [...assigned, ...parsed.assigned] : assigned;
    for (const c of parsed.commands) this.command(c, depth, via, !parsed.parsed, out, names);
    return out;
  }

  private command(c: SimpleCommand, depth: number, via: string[], unparsed: boolean, out: ExecCommand[], assignedBefore: readonly string[] = []): void {
    let start = 0;
    while (start < c.words.length && ASSIGNMENT.test(c.words[start]!.text)) start++;
    const assigned = start > 0 ? [...assignedBefore, ...c.words.slice(0, start).map((w) => w.text.slice(0, w.text.indexOf('=')))] : assignedBefore;
    const words = c.words.slice(start);
    if (c.writes.length > 0) {
      // What a redirect writes is the command's output: the command and its own input feed it.
      const feeds = upstream({ ...c, words });
      for (const w of c.writes) out.push({ words: [literal(w.append ? '>>' : '>'), w.path], writes: [], stdin: [], ...(feeds.length > 0 ? { feeds } : {}), via, unparsed });
    }
    if (words.length === 0) return;
    if (words[0]!.vanishes && words.length > 1) {
      // `$EMPTY rm -rf /x`: if the variable is empty the rest is the command; if not, something
      // computed runs. Both are kept, so the more severe reading decides.
      out.push({ words, writes: [], stdin: c.stdin, ...(c.feeds ? { feeds: c.feeds } : {}), via, unparsed });
      this.command({ words: words.slice(1), writes: [], stdin: c.stdin, ...(c.feeds ? { feeds: c.feeds } : {}) }, depth, via, unparsed, out, assigned);
      return;
    }
    const name = baseName(words[0]!.text);
    const wrapper = this.byName.get(name);
    if (wrapper && depth <= MAX_SCRIPT_DEPTH) {
      if (this.unwrap(wrapper, name, words, c, depth, [...via, name], unparsed, out, assigned)) return;
    }
    out.push({ words, writes: [], stdin: c.stdin, ...(c.feeds ? { feeds: c.feeds } : {}), via, unparsed });
    if (name === 'find') this.findExec(words, depth, via, unparsed, out);
  }

  /** The commands one argv really runs, wrappers removed (`sudo cat k` → `cat k`). */
  commandsOf(words: Word[]): ExecCommand[] {
    const out: ExecCommand[] = [];
    this.command({ words, writes: [], stdin: [] }, 0, [], false, out);
    return out;
  }

  /** Returns false when the wrapper runs nothing (e.g. `sudo -l`), so it stays a command. */
  private unwrap(w: WrapperSpec, name: string, words: Word[], c: SimpleCommand, depth: number, via: string[], unparsed: boolean, out: ExecCommand[], assignedBefore: readonly string[]): boolean {
    const assigned = [...assignedBefore];
    const script = this.scriptOption(w, words);
    if (script !== undefined) {
      out.push(...this.scriptRuns(name, script, depth, via, unparsed, assigned));
      return true;
    }
    let i = 1;
    let scriptMode = false;
    let replace = '';
    let code: Word | undefined;
    let subcommand = w.subcommands.length === 0;
    let skipped = 0;
    while (i < words.length) {
      const t = words[i]!.text;
      if (t === '--') { i++; break; }
      if (w.skip_assignments && ASSIGNMENT.test(t)) { assigned.push(t.slice(0, t.indexOf('='))); i++; continue; }
      if (!subcommand && !t.startsWith('-')) {
        // `doppler secrets get X` is doppler's own business; `doppler run -- X` runs X.
        if (!w.subcommands.includes(t)) return false;
        subcommand = true;
        i++;
        continue;
      }
      if (!t.startsWith('-') || t === '-') {
        // After its subcommand, a wrapper's positionals and options may mix (`aws-vault exec prof --duration=1h -- cmd`).
        if (w.subcommands.length > 0 && skipped < w.skip_positionals) { skipped++; i++; continue; }
        break;
      }
      if (w.noop_flags.includes(t)) return false;
      const eq = t.indexOf('=');
      const flag = eq > 0 ? t.slice(0, eq) : t;
      if (w.code_flags.length > 0) {
        if (w.code_flags.includes(flag)) {
          code = eq > 0 ? literal(t.slice(eq + 1)) : words[i + 1];
          break;
        }
        const cluster = !t.startsWith('--') && /^-[A-Za-z]+$/.test(t) && w.code_flags.includes(`-${t[t.length - 1]}`);
        if (cluster) {
          code = words[i + 1];
          break;
        }
      }
      if (w.value_options.includes(flag)) {
        const value = eq > 0 ? t.slice(eq + 1) : words[i + 1]?.text ?? '';
        if (flag === w.replace_option) replace = value;
        i += eq > 0 ? 1 : 2;
        continue;
      }
      const attached = w.value_options.find((o) => o.length === 2 && !t.startsWith('--') && t.startsWith(o));
      if (attached !== undefined) {
        if (attached === w.replace_option) replace = t.slice(2);
        i++;
        continue;
      }
      if (w.script_flag !== '' && !t.startsWith('--') && t.slice(1).includes(w.script_flag)) scriptMode = true;
      i++;
    }
    if (w.runs.includes('inline_code')) return this.inlineCode(w, words, code, i, c, depth, via, unparsed, out, assigned);
    if (!subcommand) return false;
    i += w.skip_positionals - skipped;
    const rest = words.slice(i);
    if (w.runs.includes('script') && scriptMode) {
      const script = rest[0];
      if (script === undefined) return false;
      out.push(...this.scriptRuns(name, script, depth, via, unparsed, assigned));
      return true;
    }
    if (w.runs.includes('joined_script') && rest.length > 0) {
      out.push(...this.script(rest.map((r) => r.text).join(' '), depth + 1, via, assigned));
      return true;
    }
    if (w.runs.includes('file_script') && rest[0]?.content !== undefined) {
      out.push(...this.script(rest[0].content, depth + 1, via, assigned));
      return true;
    }
    if (w.runs.includes('stdin_script') && rest.length === 0 && c.stdin.length > 0) {
      for (const body of c.stdin) out.push(...this.script(body, depth + 1, via, assigned));
      return true;
    }
    if (w.runs.includes('command') && rest.length > 0) {
      if (w.keeps_itself) out.push({ words, writes: [], stdin: c.stdin, ...(c.feeds ? { feeds: c.feeds } : {}), via: via.slice(0, -1), unparsed });
      let inner = rest;
      if (w.unknown_input) {
        inner = replace !== '' ? rest.map((r) => (r.text.includes(replace) ? unknownWord() : r)) : [...rest, unknownWord()];
      }
      this.command({ words: inner, writes: [], stdin: c.stdin, ...(c.feeds ? { feeds: c.feeds } : {}) }, depth + 1, via, unparsed, out, assigned);
      return true;
    }
    return false;
  }

  /**
   * The value of a script option among the wrapper's own words (`env -S '…'`,
   * `su - root -c '…'`, `flock /tmp/l -c '…'`): options and up to `skip_positionals`
   * positionals are the wrapper's; the next positional starts the wrapped command, whose own
   * `-c` is not the wrapper's.
   */
  private scriptOption(w: WrapperSpec, words: Word[]): Word | undefined {
    if (w.script_options.length === 0) return undefined;
    let positionals = 0;
    for (let i = 1; i < words.length; i++) {
      const t = words[i]!.text;
      if (t === '--') return undefined;
      if (w.script_options.includes(t)) return words[i + 1];
      const eq = t.indexOf('=');
      if (eq > 0 && t.startsWith('--') && w.script_options.includes(t.slice(0, eq))) return { ...words[i]!, text: t.slice(eq + 1) };
      if (t.startsWith('-') && t !== '-') {
        if (eq < 0 && w.value_options.includes(t)) i++;
        continue;
      }
      if (w.skip_assignments && ASSIGNMENT.test(t)) continue;
      if (++positionals > w.skip_positionals) return undefined;
    }
    return undefined;
  }

  private scriptRuns(name: string, script: Word, depth: number, via: string[], unparsed: boolean, assigned: readonly string[]): ExecCommand[] {
    if (script.unknownRoot) return [{ words: [literal(name), unknownWord('$(…)')], writes: [], stdin: [], via, unparsed }];
    return this.script(script.text, depth + 1, via, assigned);
  }

  /**
   * An interpreter: it stays a command (its own rules still apply, e.g. `perl -i`), and what its
   * one-line program — or the program on its stdin (`python3 - <<EOF`) — runs is added.
   */
  private inlineCode(w: WrapperSpec, words: Word[], code: Word | undefined, at: number, c: SimpleCommand, depth: number, via: string[], unparsed: boolean, out: ExecCommand[], assigned: readonly string[]): boolean {
    const programs: string[] = [];
    if (code !== undefined) {
      if (!code.unknownRoot) programs.push(code.text);
    } else if ((at >= words.length || words[at]!.text === '-') && c.stdin.length > 0) {
      programs.push(...c.stdin);
    }
    if (programs.length === 0) return false;
    out.push({ words, writes: [], stdin: c.stdin, via: via.slice(0, -1), unparsed });
    for (const program of programs) {
      for (const run of inlineCodeRuns(program, w.language)) {
        if (run.kind === 'script') out.push(...this.script(run.text, depth + 1, via, assigned));
        else this.command({ words: run.words, writes: [], stdin: [] }, depth + 1, via, unparsed, out, assigned);
      }
    }
    return true;
  }

  /** `find ROOTS… -exec cmd args {} ;` runs cmd on files found under the roots. */
  private findExec(words: Word[], depth: number, via: string[], unparsed: boolean, out: ExecCommand[]): void {
    const roots: Word[] = [];
    let i = 1;
    for (; i < words.length; i++) {
      const t = words[i]!.text;
      if (t.startsWith('-') || t === '(' || t === '!') break;
      roots.push(words[i]!);
    }
    const root = (roots[0]?.text ?? '.').replace(/\/+$/, '');
    const nameAt = words.findIndex((w) => w.text === '-name' || w.text === '-iname');
    const name = nameAt > 0 && words.filter((w) => w.text === '-name' || w.text === '-iname').length === 1 ? words[nameAt + 1]?.text : undefined;
    const found = roots[0]?.unknownRoot ? unknownWord() : literal(name ? `${root}/**/${name}` : `${root}/**`);
    for (; i < words.length; i++) {
      const t = words[i]!.text;
      if (!['-exec', '-execdir', '-ok', '-okdir'].includes(t)) continue;
      const inner: Word[] = [];
      for (i++; i < words.length && words[i]!.text !== ';' && words[i]!.text !== '+'; i++) {
        inner.push(words[i]!.text.includes('{}') ? found : words[i]!);
      }
      if (inner.length > 0) this.command({ words: inner, writes: [], stdin: [] }, depth + 1, [...via, 'find'], unparsed, out);
    }
  }
}

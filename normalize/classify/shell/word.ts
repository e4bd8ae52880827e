/**
 * The shell-independent view of a parsed command: each simple command is a list of words
 * after quote removal, plus the files its redirections write and the text fed to its stdin
 * (heredocs, here-strings) and what feeds its input (files, upstream commands). Quoting is gone, so `rm "-rf" x` and `rm -rf x` look the same,
 * while `echo "rm -rf /"` stays one data word of `echo`.
 */

export interface Word {
  /** Value after quote removal. Unknown expansions appear as `$NAME`, `$(…)`; `$HOME` is `~`. */
  text: string;
  /** Contains an expansion whose value cannot be known before running (variable, `$(…)`). */
  unknown: boolean;
  /** Starts with such an expansion, so even the root of a path built from it is unknown. */
  unknownRoot: boolean;
  /** For a process substitution `<(echo …)` whose output is fixed: what reading it yields. */
  content?: string;
  /** An unquoted `$X` of a variable nothing assigned before: it may expand to no word at all. */
  vanishes?: boolean;
}

/** What reaches a command's input: a file (`< f`) or another command's output (`a | b`,
 * `b "$(a)"`, `a > /dev/tcp/…`), named by that command's words. */
export type Feed = { file: Word } | { command: Word[] };

export interface RedirectWrite {
  path: Word;
  append: boolean;
}

export interface SimpleCommand {
  words: Word[];
  writes: RedirectWrite[];
  /** Heredoc bodies and here-strings given to the command's stdin. */
  stdin: string[];
  /** Files and commands whose content reaches this command (its stdin, or a substitution in
   * its words), upstream ones included: `cat k | gzip | nc` gives nc both gzip and cat. */
  feeds?: Feed[];
}

export interface ShellParse {
  commands: SimpleCommand[];
  /** False when the real parser rejected the text and the fallback tokenizer was used. */
  parsed: boolean;
  /** Variable names the text assigns (absent when it assigns none). */
  assigned?: string[];
}

export function literal(text: string): Word {
  return { text, unknown: false, unknownRoot: false };
}

/** A word standing for input the classifier cannot see (xargs input, `find -exec {}`). */
export function unknownWord(text = '*'): Word {
  return { text, unknown: true, unknownRoot: true };
}

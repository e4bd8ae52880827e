/**
 * Redirect and pipe operator codes of the shell parser, learned once at start-up by parsing a sample
 * of every operator, so the classifier does not depend on the parser's internal numbering.
 */
import sh from 'mvdan-sh';

export interface RedirectOps {
  write: Set<number>;
  append: Set<number>;
  heredoc: Set<number>;
  herestring: Set<number>;
  /** `< file`: the file is read into stdin. */
  read: Set<number>;
  /** Binary command operators that connect stdout to stdin (`|`, `|&`). */
  pipe: Set<number>;
}

let cached: RedirectOps | undefined;

interface RedirLike { Op: number }
interface StmtLike { Redirs: Array<RedirLike | null>; Cmd: { Op?: number } | null }

export function redirectOps(): RedirectOps {
  if (cached) return cached;
  const sample = 'a >x\na >|x\na &>x\na >>x\na &>>x\na <<E\nE\na <<-E\nE\na <<<x\na <x\na >&x\n';
  const file = sh.syntax.NewParser().Parse(sample, '');
  const ops = (file.Stmts as unknown as StmtLike[]).map((s) => s.Redirs[0]?.Op ?? -1);
  cached = {
    write: new Set([ops[0]!, ops[1]!, ops[2]!, ops[9]!]),
    append: new Set([ops[3]!, ops[4]!]),
    heredoc: new Set([ops[5]!, ops[6]!]),
    herestring: new Set([ops[7]!]),
    read: new Set([ops[8]!]),
    pipe: new Set(
      (sh.syntax.NewParser().Parse('a | b\na |& b\n', '').Stmts as unknown as StmtLike[]).map((st) => st.Cmd?.Op ?? -1),
    ),
  };
  return cached;
}

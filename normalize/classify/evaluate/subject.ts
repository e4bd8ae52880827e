/**
 * Subjects are what rules are evaluated against: one command that really runs (after
 * unwrapping), one SQL statement, or one non-shell tool call. Each carries the targets derived
 * for it, so conditions about targets read the same for every kind.
 */
import type { ParsedArgv } from '../argv/parse-argv.js';
import type { CommandSpec } from '../rule-schema.js';
import type { SqlStatement } from '../sql/sql-statement.js';
import type { Word } from '../shell/word.js';

export interface Target {
  value: string;
  /** Derived from something unknown before running ($VAR, xargs input, `$(…)`). */
  unknown: boolean;
}

interface Common {
  targets: Target[];
  /** Text shown in explanations (`rm -rf /`, `DROP TABLE x`, tool name). */
  text: string;
}

export interface CommandSubject extends Common {
  kind: 'command';
  name: string;
  words: Word[];
  argv: ParsedArgv;
  spec: CommandSpec | undefined;
  stdin: string[];
  /** Branches (or other refs) named by the command, for `any_ref_in`. */
  refs: string[];
  noRef: boolean;
  /** A database client whose SQL became subjects of its own: its class defers to them. */
  defersToSql: boolean;
  /** Files whose content reaches this command's input (`< f`, `cat f |`, `"$(cat f)"`), resolved. */
  inputs?: Target[];
  /** Names of the commands whose output reaches its input (`bash -i >& /dev/tcp/…` → bash). */
  fedBy?: string[];
}

export interface SqlSubject extends Common {
  kind: 'sql';
  statement: SqlStatement;
}

export interface ToolSubject extends Common {
  kind: 'tool';
  tool: string;
  toolKind: string;
  args: Record<string, unknown>;
  httpMethod: string;
  urlIsCollection: boolean;
}

export type Subject = CommandSubject | SqlSubject | ToolSubject;

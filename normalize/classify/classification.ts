/**
 * What the classifier says about one action. Produced from structure (parsed shell, parsed SQL,
 * tool name and arguments), never from substrings.
 */
import type { Severity } from '../../model/audit-event.js';

export type BlastRadius = 'none' | 'single' | 'multiple' | 'recursive' | 'wildcard' | 'namespace' | 'all';

export interface ActionInput {
  /** Tool name as the harness reports it: `Bash`, `Write`, `kubectl`, `sql`, `send_email`, … */
  tool: string;
  /** Shell command or SQL text, when there is one. */
  command: string;
  /** Parsed tool arguments (may be empty). */
  arguments: Record<string, unknown>;
  /** Working directory; relative paths resolve against it. */
  cwd: string;
  /** Declared environment (`dev`, `prod`, …), empty when unknown. */
  environment: string;
}

export interface RuleMatch {
  rule_id: string;
  action_class: string;
  severity: Severity;
  reversible: boolean;
  blast_radius: BlastRadius;
  tags: string[];
  /** The simple command (after unwrapping sudo/env/bash -c …) that matched, for explanations. */
  matched: string;
  /** Whether this rule describes harm (a rule may classify without being destructive,
   * e.g. `rm -rf node_modules`). Optional for producers that predate it. */
  destructive?: boolean;
}

export interface Classification {
  /** Most severe match's class, `none` when nothing matched (`read`/`write` for plain tools). */
  action_class: string;
  destructive: boolean;
  reversible: boolean;
  severity: Severity;
  blast_radius: BlastRadius;
  targets: string[];
  matches: RuleMatch[];
  /** True when shell text could not be parsed and a fallback tokenizer read it (optional). */
  unparsed?: boolean;
  /** Version of the rule set that produced this classification (optional). */
  rules_version?: string;
}

export interface Classifier {
  classify(input: ActionInput): Classification;
}

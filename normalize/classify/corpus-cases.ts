/**
 * Loads the labelled corpus (`corpus/*.yaml`): each case is a shell command or a tool call with
 * the expected `destructive`, `action_class`, optional `min_severity` and `targets`. Shared by
 * the corpus test and the classification benchmark.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import type { Severity } from '../../model/audit-event.js';
import type { ActionInput } from './classification.js';

export const CORPUS_DIR = fileURLToPath(new URL('./corpus/', import.meta.url));

export interface CorpusCase {
  family: string;
  file: string;
  input: ActionInput;
  destructive: boolean;
  action_class: string;
  min_severity?: Severity;
  targets?: string[];
}

interface RawCase {
  command?: string;
  tool?: string;
  arguments?: Record<string, unknown>;
  cwd?: string;
  environment?: string;
  destructive?: boolean;
  action_class?: string;
  min_severity?: Severity;
  targets?: string[];
}

export function loadCorpus(dir: string = CORPUS_DIR): CorpusCase[] {
  const out: CorpusCase[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
    const doc = parseYaml(readFileSync(join(dir, file), 'utf8')) as { family: string; cwd?: string; cases: RawCase[] };
    for (const [i, c] of doc.cases.entries()) {
      if (typeof c.destructive !== 'boolean' || typeof c.action_class !== 'string') {
        throw new Error(`${file} case ${i}: destructive and action_class are required`);
      }
      const tool = c.tool ?? 'Bash';
      out.push({
        family: doc.family,
        file,
        input: { tool, command: c.command ?? '', arguments: c.arguments ?? {}, cwd: c.cwd ?? doc.cwd ?? '', environment: c.environment ?? '' },
        destructive: c.destructive,
        action_class: c.action_class,
        ...(c.min_severity ? { min_severity: c.min_severity } : {}),
        ...(c.targets ? { targets: c.targets } : {}),
      });
    }
  }
  return out;
}

export function describeCase(c: CorpusCase): string {
  return c.input.command ? JSON.stringify(c.input.command) : `${c.input.tool} ${JSON.stringify(c.input.arguments)}`;
}

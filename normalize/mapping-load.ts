/**
 * Loads the mapping tables: every `*.yaml` / `*.yml` file of a directory (by default the
 * `sources/` folder beside this module), in file-name order, parsed and validated together.
 * YAML syntax errors and schema problems of all files are reported at once in one
 * PermanentError `NORMALIZE_MAPPING_INVALID` (details.problems lists them). Runs at startup,
 * so it is synchronous.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { PermanentError } from '../lib/errors.js';
import type { MappingTable } from './mapping-table.js';
import { checkTableSet, parseMappingTable } from './mapping-validate.js';

export const DEFAULT_MAPPINGS_DIR = fileURLToPath(new URL('./sources/', import.meta.url));

export const MAPPING_INVALID = 'NORMALIZE_MAPPING_INVALID';

/** Parses and validates YAML texts (file name → text); throws with every problem found. */
export function parseMappingTables(files: ReadonlyArray<{ file: string; text: string }>): MappingTable[] {
  const problems: string[] = [];
  const tables: MappingTable[] = [];
  for (const { file, text } of files) {
    const docs = parseAllDocuments(text);
    const list = Array.isArray(docs) ? docs : [docs];
    if (list.length !== 1) {
      problems.push(`${file}: (root): expected exactly one YAML document, found ${list.length}`);
      continue;
    }
    const doc = list[0]!;
    if (doc.errors.length > 0) {
      for (const err of doc.errors) problems.push(`${file}: yaml: ${err.message.split('\n')[0]}`);
      continue;
    }
    const table = parseMappingTable(file, doc.toJS(), problems);
    if (table) tables.push(table);
  }
  if (files.length === 0) problems.push('(table set): no mapping tables found');
  else checkTableSet(tables, problems);
  if (problems.length > 0) {
    throw new PermanentError(MAPPING_INVALID, `invalid mapping tables:\n  ${problems.join('\n  ')}`, {
      details: { problems },
    });
  }
  return tables;
}

/** Reads every mapping table of a directory. */
export function loadMappingTables(dir: string = DEFAULT_MAPPINGS_DIR): MappingTable[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.yaml') || n.endsWith('.yml'));
  } catch (err) {
    throw new PermanentError(MAPPING_INVALID, `cannot read the mapping directory ${dir}`, { cause: err, details: { problems: [] } });
  }
  names.sort();
  return parseMappingTables(names.map((file) => ({ file, text: readFileSync(join(dir, file), 'utf8') })));
}

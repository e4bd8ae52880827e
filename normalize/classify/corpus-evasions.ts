/**
 * The bypass suite's cases (`corpus/bypass/evasions.yaml`): each destructive family's argv
 * rendered into every evasion's template (quoting, base64, language string literals), for the
 * bypass test and the detection-quality benchmark.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

const DATA = fileURLToPath(new URL('./corpus/bypass/evasions.yaml', import.meta.url));

export interface Family { name: string; argv: string[] }
export interface Evasion { name: string; template: string; code?: string; only?: string[]; unsupported?: string }

/** A word as the shell needs it: bare when plain, else single-quoted. */
export function shq(word: string): string {
  return /^[A-Za-z0-9_\-./:=@%+,]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

const PLACEHOLDER = /\{(cmd|sq|name|args|b64|quoted|py|argv_py|name_py|rest_py|args_comma|code|code_raw)\}/g;

function render(template: string, f: Family, code?: string): string {
  const cmd = f.argv.map(shq).join(' ');
  const values: Record<string, string> = {
    cmd,
    sq: shq(cmd),
    name: f.argv[0]!,
    args: f.argv.slice(1).map(shq).join(' '),
    b64: Buffer.from(cmd).toString('base64'),
    quoted: f.argv.map((w) => `'${w.replace(/'/g, `'\\''`)}'`).join(' '),
    py: JSON.stringify(cmd),
    argv_py: JSON.stringify(f.argv),
    name_py: JSON.stringify(f.argv[0]),
    rest_py: JSON.stringify(f.argv.slice(1)),
    args_comma: f.argv.slice(1).map((w) => (/[,{}]/.test(w) ? `'${w.replace(/'/g, `'\\''`)}'` : shq(w))).join(','),
    code: code === undefined ? '' : shq(code),
    code_raw: code ?? '',
  };
  return template.replace(PLACEHOLDER, (_, k: string) => values[k]!);
}

export function evasionCases(): Array<{ family: Family; evasion: Evasion; text: string }> {
  const doc = parseYaml(readFileSync(DATA, 'utf8')) as { families: Family[]; evasions: Evasion[] };
  return doc.evasions.flatMap((evasion) =>
    doc.families
      .filter((family) => !evasion.only || evasion.only.includes(family.name))
      .map((family) => ({ family, evasion, text: render(evasion.template, family, evasion.code === undefined ? undefined : render(evasion.code, family)) })),
  );
}

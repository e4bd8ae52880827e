/**
 * Path targets: relative paths resolve against the working directory, `~` stays symbolic
 * (`~`, `~/x`), `.`/`..` segments are normalised and trailing slashes dropped. A path whose
 * root is an unknown expansion (`$DIR/x`) is kept as written and marked unknown.
 */
import { posix } from 'node:path';
import type { Word } from '../shell/word.js';
import type { Target } from '../evaluate/subject.js';

export function resolvePath(text: string, cwd: string): string {
  if (text === '') return text;
  if (text === '~' || text.startsWith('~/')) {
    const rest = posix.normalize(text.slice(1) || '/');
    return rest === '/' ? '~' : `~${rest.replace(/\/+$/, '')}`;
  }
  let abs: string;
  if (text.startsWith('/')) abs = posix.normalize(text);
  else if (cwd.startsWith('/') || cwd.startsWith('~')) {
    abs = cwd.startsWith('~') ? resolvePath(`${cwd}/${text}`, '') : posix.resolve(cwd, text);
  } else abs = posix.normalize(text);
  return abs.length > 1 ? abs.replace(/\/+$/, '') : abs;
}

export function pathTarget(word: Word, cwd: string): Target {
  if (word.unknownRoot) return { value: word.text, unknown: true };
  return { value: resolvePath(word.text, cwd), unknown: word.unknown };
}
